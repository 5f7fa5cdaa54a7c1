#pragma once
// RunBatchPipeline: reads a DocSource on the calling thread and hands each batch to one of
// `workers` threads, keeping a few batches in flight. Index builds use it to spread tokenizing,
// Xapian indexing and embedding over the machine's cores.

#include <functional>
#include <vector>

#include "core/status.h"
#include "search/doc_source.h"

namespace coolpapers::search {

// Per-batch hook run on the reading thread, in source order, before the batch is handed out
// (e.g. to sample training text or drop repeated ids). An error stops the pipeline.
using ReadHook = std::function<Status(std::vector<IndexDoc>& batch)>;
// Work on one batch, run on worker `worker` (0 <= worker < workers); each worker runs its
// batches one at a time, so per-worker state needs no locking.
using BatchWork = std::function<Status(int worker, std::vector<IndexDoc>& batch)>;

// Runs one pass over `src` from its current position to its end. Returns the first error of
// the source, the hook or any worker; after an error the remaining batches are dropped and
// every worker has stopped when this returns.
Status RunBatchPipeline(DocSource& src, int workers, const ReadHook& on_read,
                        const BatchWork& work);

// The number of worker threads to use for `requested` (0 = one per core, at most 4).
int WorkerCount(int requested);

}  // namespace coolpapers::search
