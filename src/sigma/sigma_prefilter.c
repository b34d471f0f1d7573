/*
 * sigma_prefilter.c — which rule literals occur in an event's text.
 *
 * Every rule value yields a required literal (lower case, >= 3 bytes); a rule
 * is evaluated only when one of its literals occurs (sigma_index.c).  This
 * file finds them.  Hand-written, because both library alternatives measured
 * slower on SigmaHQ's 27,739 literals over EVTX field text (the 64 MB bench
 * file, one core):
 *   - Vectorscan 5.4.9 (hs_compile_lit_multi): 490 ms to compile, ~200 MB/s
 *     on field-sized blocks (the many matches cost callbacks);
 *   - a sparse Aho-Corasick automaton (the first version here): ~130 MB/s,
 *     its ~450,000 states (14 MB) miss the caches at every byte.
 * The scheme used: each literal gets an *anchor*, the 4-byte window inside it
 * that the fewest other literals share (3 bytes for 3-byte literals).  The
 * scan tests each text position against a 1 Mbit bitmap of anchor hashes
 * (it lives in L2), and only on a hit looks the window up in a hash table
 * and compares the few literals anchored there.  Measured in
 * docs/performance.md.
 */
#include <stdlib.h>
#include <string.h>

#include "sigma/sigma.h"

#define BM_BITS 20                      /* 1 Mbit anchor bitmap (128 KiB) */
#define BM3_BITS 16                     /* 3-byte anchors (64 Kbit) */

static inline uint32_t load4(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint32_t load3(const unsigned char *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16); }
static inline uint32_t hmix(uint32_t g) { return g * 2654435761u; }   /* bitmaps: top bits */
/* hash tables index by low bits: mix every input bit into them (murmur3's
 * finaliser; the plain product above leaves low bits to low bits, and text
 * 4-grams share those: probe chains ran long) */
static inline uint32_t tmix(uint32_t g)
{
    g ^= g >> 16; g *= 0x85ebca6bu; g ^= g >> 13; g *= 0xc2b2ae35u; g ^= g >> 16;
    return g;
}

/* gram -> count of literals containing it (open addressing, build only) */
typedef struct gcount { uint32_t g, n, seen; } gcount;

static gcount *gc_slot(gcount *t, uint32_t cap, uint32_t g)
{
    uint32_t i = tmix(g) & (cap - 1);
    while (t[i].n && t[i].g != g) i = (i + 1) & (cap - 1);
    return &t[i];
}

void sg_prefilter_free(sp_ruleset *rs)
{
    free(rs->pf_bm);
    free(rs->pf_bm3);
    free(rs->pf_map);
    free(rs->pf_ent);
    rs->pf_bm = rs->pf_bm3 = NULL;
    rs->pf_map = NULL;
    rs->pf_ent = NULL;
}

int sg_prefilter_build(sp_ruleset *rs)
{
    uint32_t n = rs->nlit;
    sg_prefilter_free(rs);
    rs->pf_bm = calloc((1u << BM_BITS) / 64, sizeof(uint64_t));
    rs->pf_bm3 = calloc((1u << BM3_BITS) / 64, sizeof(uint64_t));
    if (!rs->pf_bm || !rs->pf_bm3) return -1;
    if (!n) return 0;
    /* 1. how many literals contain each 4-gram (the table grows at half
     * full: sized for every gram position it was 24 MB of page faults) */
    uint32_t cap = 1u << 14, used = 0;
    gcount *gc = calloc(cap, sizeof *gc);
    uint32_t *anchor = malloc(n * sizeof *anchor), *aoff = malloc(n * sizeof *aoff);
    int rc = -1;
    if (!gc || !anchor || !aoff) goto out;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *s = (const unsigned char *)rs->lit[i];
        for (uint32_t k = 0; k + 4 <= rs->lit_len[i]; k++) {
            if (2 * (used + 1) > cap) {
                gcount *ng = calloc(2 * (size_t)cap, sizeof *ng);
                if (!ng) goto out;
                for (uint32_t q = 0; q < cap; q++)
                    if (gc[q].n) *gc_slot(ng, 2 * cap, gc[q].g) = gc[q];
                free(gc);
                gc = ng;
                cap *= 2;
            }
            gcount *c = gc_slot(gc, cap, load4(s + k));
            if (!c->n) used++;
            c->g = load4(s + k);
            if (c->seen != i + 1) { c->n++; c->seen = i + 1; }   /* once per literal */
        }
    }
    /* 2. each literal's anchor: its rarest 4-gram (later position on ties:
     * literal heads like "\windows\" are the most shared) */
    uint32_t nmap = 0;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *s = (const unsigned char *)rs->lit[i];
        if (rs->lit_len[i] < 4) { anchor[i] = load3(s); aoff[i] = 0; continue; }
        uint32_t best = UINT32_MAX, bk = 0;
        for (uint32_t k = 0; k + 4 <= rs->lit_len[i]; k++) {
            uint32_t c = gc_slot(gc, cap, load4(s + k))->n;
            if (c <= best) { best = c; bk = k; }
        }
        anchor[i] = load4(s + bk);
        aoff[i] = bk;
        nmap++;
    }
    /* 3. anchor map: (anchor, 3 or 4 bytes) -> entries [start, start+count) */
    uint32_t mcap = 1024;
    while (mcap < 2 * n + 1024) mcap *= 2;
    rs->pf_map = calloc(mcap, sizeof *rs->pf_map);
    rs->pf_ent = malloc(n * sizeof *rs->pf_ent);
    if (!rs->pf_map || !rs->pf_ent) goto out;
    rs->pf_map_cap = mcap;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t w = rs->lit_len[i] < 4 ? 3 : 4;
            uint32_t key = anchor[i], h = tmix(key ^ (w << 30)) & (mcap - 1);
            while (rs->pf_map[h].count && !(rs->pf_map[h].key == key && rs->pf_map[h].width == w)) h = (h + 1) & (mcap - 1);
            sg_pfslot *m = &rs->pf_map[h];
            if (pass == 0) { m->key = key; m->width = (uint8_t)w; m->count++; continue; }
            rs->pf_ent[m->start + m->fill++] = (sg_pfent){i, aoff[i]};
        }
        if (pass == 0) {
            uint32_t at = 0;
            for (uint32_t h = 0; h < mcap; h++)
                if (rs->pf_map[h].count) { rs->pf_map[h].start = at; at += rs->pf_map[h].count; }
        }
    }
    /* 4. bitmaps */
    for (uint32_t i = 0; i < n; i++) {
        if (rs->lit_len[i] < 4) {
            uint32_t b = hmix(anchor[i]) >> (32 - BM3_BITS);
            rs->pf_bm3[b >> 6] |= 1ull << (b & 63);
            rs->pf_has3 = 1;
        } else {
            uint32_t b = hmix(anchor[i]) >> (32 - BM_BITS);
            rs->pf_bm[b >> 6] |= 1ull << (b & 63);
        }
    }
    (void)nmap;
    rc = 0;
out:
    free(gc);
    free(anchor);
    free(aoff);
    return rc;
}

static const sg_pfslot *pf_find(const sp_ruleset *rs, uint32_t key, uint32_t w)
{
    uint32_t h = tmix(key ^ (w << 30)) & (rs->pf_map_cap - 1);
    while (rs->pf_map[h].count) {
        if (rs->pf_map[h].key == key && rs->pf_map[h].width == w) return &rs->pf_map[h];
        h = (h + 1) & (rs->pf_map_cap - 1);
    }
    return NULL;
}

static inline void hit(sp_scanner *sc, uint32_t lid)
{
    if (sc->lit_epoch[lid] == sc->epoch) { sc->lit_mask[lid] |= sc->cur_fbit; return; }
    sc->lit_epoch[lid] = sc->epoch;
    sc->lit_mask[lid] = sc->cur_fbit;
    if (sc->nhits == sc->cap_hits) {
        uint32_t nc = sc->cap_hits ? sc->cap_hits * 2 : 256;
        uint32_t *nh = realloc(sc->hits, nc * sizeof *nh);
        if (!nh) return;
        sc->hits = nh;
        sc->cap_hits = nc;
    }
    sc->hits[sc->nhits++] = lid;
}

/* literals are short: compare 8 bytes at a time inline (a libc call per
 * candidate cost more than the comparison) */
static inline int same(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y) return 0;
    }
    for (; i < n; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static void verify(sp_scanner *sc, const sg_pfslot *m, const unsigned char *t, size_t n, size_t i)
{
    const sp_ruleset *rs = sc->rs;
    for (uint32_t k = 0; k < m->count; k++) {
        const sg_pfent *e = &rs->pf_ent[m->start + k];
        if (i < e->off) continue;
        size_t st = i - e->off, len = rs->lit_len[e->lit];
        if (st + len > n) continue;
        if (same(t + st, (const unsigned char *)rs->lit[e->lit], len)) hit(sc, e->lit);
    }
}

void sg_prefilter_scan(sp_scanner *sc, const unsigned char *t, size_t n)
{
    const sp_ruleset *rs = sc->rs;
    if (n < 3 || !rs->pf_map) return;
    const uint64_t *bm = rs->pf_bm, *bm3 = rs->pf_bm3;
    int has3 = rs->pf_has3;
    for (size_t i = 0; i + 3 <= n; i++) {
        if (has3) {
            uint32_t g3 = load3(t + i), b = hmix(g3) >> (32 - BM3_BITS);
            if (bm3[b >> 6] >> (b & 63) & 1) {
                const sg_pfslot *m = pf_find(rs, g3, 3);
                if (m) verify(sc, m, t, n, i);
            }
        }
        if (i + 4 <= n) {
            uint32_t g = load4(t + i), b = hmix(g) >> (32 - BM_BITS);
            if (bm[b >> 6] >> (b & 63) & 1) {
                const sg_pfslot *m = pf_find(rs, g, 4);
                if (m) verify(sc, m, t, n, i);
            }
        }
    }
}
