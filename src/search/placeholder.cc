// Placeholder so the module library has a source until its real files land; delete then.
