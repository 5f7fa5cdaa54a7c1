// venues/: conference proceedings importers. None is built yet: `coolpapers import venue`
// reports that, and /venue pages say no venues are imported.
