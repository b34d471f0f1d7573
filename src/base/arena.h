/*
 * arena.h — bump allocator for per-record and per-chunk scratch memory.
 *
 * Memory comes in blocks that never move, so pointers stay valid until
 * sp_arena_reset() (which keeps the first block for reuse) or
 * sp_arena_fini().  Used so that decoding a record costs no malloc/free
 * pairs: the worker resets its record arena between records and its chunk
 * arena between chunks.
 */
#ifndef SP_ARENA_H
#define SP_ARENA_H

#include <stddef.h>

typedef struct sp_arena_block sp_arena_block;
typedef struct sp_arena {
    sp_arena_block *head;   /* current block (list, newest first) */
    size_t block_size;      /* default size of new blocks */
    size_t used_total;      /* bytes handed out since reset (for limits) */
} sp_arena;

void sp_arena_init(sp_arena *a, size_t block_size);
/* Allocate the first block now, on the calling thread (a worker's arenas
 * are set up before its thread starts, so the thread's first chunk does
 * not map memory while the other workers run).  -1 on failure. */
int sp_arena_reserve(sp_arena *a);
void sp_arena_fini(sp_arena *a);
/* Free all but one block; everything allocated becomes invalid. */
void sp_arena_reset(sp_arena *a);
/* Aligned to 16; NULL on allocation failure. */
void *sp_arena_alloc(sp_arena *a, size_t n);
void *sp_arena_zalloc(sp_arena *a, size_t n);

/* calloc() whose memory is written at once.  Fresh pages from calloc are the
 * kernel's shared zero page until first written; when that first write
 * comes from a worker thread after a read (a bitmap's |=, a table probe),
 * replacing the page means a TLB shootdown, an interrupt to every other CPU
 * running the process.  Per-scanner and per-route tables use this: with
 * the rules read from the cache (no frees before the scan for malloc to
 * recycle) a 2-thread hunt of big64.evtx spent 10-25 ms in those
 * interrupts.  NULL on overflow or failure. */
void *sp_calloc_touched(size_t n, size_t size);

#endif
