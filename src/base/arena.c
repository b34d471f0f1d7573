/* arena.c — see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sp_arena_block {
    sp_arena_block *next;
    size_t size, used;
    max_align_t data[];
};

void sp_arena_init(sp_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 65536;
    a->used_total = 0;
}

int sp_arena_reserve(sp_arena *a)
{
    if (!a->head && !sp_arena_alloc(a, 1)) return -1;
    sp_arena_reset(a);
    return 0;
}

void sp_arena_fini(sp_arena *a)
{
    sp_arena_block *b = a->head;
    while (b) {
        sp_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->used_total = 0;
}

void sp_arena_reset(sp_arena *a)
{
    sp_arena_block *b = a->head;
    if (!b) return;
    /* keep the oldest block (the one of default size), free the rest */
    sp_arena_block *keep = NULL;
    while (b) {
        sp_arena_block *n = b->next;
        if (!n && b->size == a->block_size) keep = b;
        else free(b);
        b = n;
    }
    if (keep) { keep->used = 0; keep->next = NULL; }
    a->head = keep;
    a->used_total = 0;
}

void *sp_arena_alloc(sp_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    sp_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t sz = n > a->block_size ? n : a->block_size;
        sp_arena_block *nb = malloc(sizeof *nb + sz);
        if (!nb) return NULL;
        nb->size = sz;
        nb->used = 0;
        if (b && sz > a->block_size) {
            /* oversize: put it behind the current block so the current
             * block's free space is still used */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            a->used_total += n;
            return (char *)nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->used_total += n;
    return p;
}

void *sp_arena_zalloc(sp_arena *a, size_t n)
{
    void *p = sp_arena_alloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

void *sp_calloc_touched(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    size_t b = n * size;
    void *p = malloc(b ? b : 1);
    if (p) memset(p, 0, b ? b : 1);
    return p;
}
