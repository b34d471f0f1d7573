/*
 * index.c — the one hash index every analytics table uses (logon rows,
 * external IPs, (host, destination) pairs, DNS answers, web resources):
 * open addressing over an item array, each slot holding item + 1 and the
 * item's hash, so growing never looks at the items.  Kept at most half full.
 */
#include <stdlib.h>

#include "analytics/ana_int.h"

uint32_t ana_hash(const char *s, uint32_t h)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return (h ^ 0x1f) * 16777619u;   /* a separator: ("ab","c") != ("a","bc") */
}

int ana_index_reserve(ana_index *x, size_t n)
{
    if ((n + 1) * 2 <= x->cap) return 0;
    size_t nc = x->cap ? x->cap * 2 : 256;
    uint32_t *ns = calloc(nc, sizeof *ns), *nh = calloc(nc, sizeof *nh);
    if (!ns || !nh) { free(ns); free(nh); return -1; }
    for (size_t i = 0; i < x->cap; i++)
        if (x->slot[i]) {
            size_t j = x->hash[i] & (nc - 1);
            while (ns[j]) j = (j + 1) & (nc - 1);
            ns[j] = x->slot[i];
            nh[j] = x->hash[i];
        }
    free(x->slot);
    free(x->hash);
    x->slot = ns;
    x->hash = nh;
    x->cap = nc;
    return 0;
}

long ana_index_next(const ana_index *x, uint32_t h, size_t *j)
{
    if (!x->cap) return -1;
    size_t k = *j == SIZE_MAX ? h & (x->cap - 1) : (*j + 1) & (x->cap - 1);
    for (; x->slot[k]; k = (k + 1) & (x->cap - 1))
        if (x->hash[k] == h) { *j = k; return (long)x->slot[k] - 1; }
    *j = k;
    return -1;
}

void ana_index_set(ana_index *x, size_t j, uint32_t h, size_t item)
{
    x->slot[j] = (uint32_t)item + 1;
    x->hash[j] = h;
}

void ana_index_fini(ana_index *x)
{
    free(x->slot);
    free(x->hash);
    x->slot = x->hash = NULL;
    x->cap = 0;
}
