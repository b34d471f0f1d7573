/*
 * sigma_prefilter.c — which rule literals occur in an event's text.
 *
 * Every rule value yields a required literal (lower case, >= 2 bytes); a rule
 * is evaluated only when one of its literals occurs (sigma_index.c).  This
 * file finds them.  Hand-written, because both library alternatives measured
 * slower on SigmaHQ's 27,739 literals over EVTX field text (the 64 MB bench
 * file, one core):
 *   - Vectorscan 5.4.9 (hs_compile_lit_multi): 490 ms to compile, ~200 MB/s
 *     on field-sized blocks (the many matches cost callbacks);
 *   - a sparse Aho-Corasick automaton (the first version here): ~130 MB/s,
 *     its ~450,000 states (14 MB) miss the caches at every byte.
 * The scheme used: each literal gets an *anchor*, the 4-byte window inside it
 * that the fewest other literals share (the whole of a 2- or 3-byte
 * literal), chosen once over all literals.  2-byte anchors index a direct
 * bitmap of byte pairs.  A prefilter (sg_pf) over any subset of literals
 * tests each text position against a bitmap of anchor hashes and only on a
 * hit looks the window up in a hash table and compares the few literals
 * anchored there.  One prefilter holds every literal (events routed without
 * a route, sigma_route.c); routes build small ones per field.  Measured in
 * docs/performance.md.
 */
#include <stdlib.h>
#include <string.h>

#include "sigma/sigma.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define BM_BITS 20                      /* the all-literal prefilter: 1 Mbit anchor bitmap */
#define BM3_BITS 16                     /* and 64 Kbit for 3-byte anchors */
#define GC_BITS 18                      /* 4-gram count table (build only): 512 KB */

static inline uint32_t load4(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint32_t load3(const unsigned char *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16); }
static inline uint32_t load2(const unsigned char *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
/* a literal's anchor width: 4 bytes, or the whole of a 2- or 3-byte literal */
static inline uint32_t awidth(uint32_t len) { return len >= 4 ? 4 : len; }
static inline uint32_t loadw(const unsigned char *p, uint32_t w) { return w >= 4 ? load4(p) : w == 3 ? load3(p) : load2(p); }
static inline uint32_t hmix(uint32_t g) { return g * 2654435761u; }   /* bitmaps: top bits */
/* hash tables index by low bits: mix every input bit into them (murmur3's
 * finaliser; the plain product above leaves low bits to low bits, and text
 * 4-grams share those: probe chains ran long) */
static inline uint32_t tmix(uint32_t g)
{
    g ^= g >> 16; g *= 0x85ebca6bu; g ^= g >> 13; g *= 0xc2b2ae35u; g ^= g >> 16;
    return g;
}

void sg_pf_free(sg_pf *pf)
{
    free(pf->bm);
    free(pf->bm3);
    free(pf->bm2);
    free(pf->map);
    free(pf->ent);
    memset(pf, 0, sizeof *pf);
}

void sg_prefilter_free(sp_ruleset *rs)
{
    sg_pf_free(&rs->pf);
    free(rs->lit_anchor);
    free(rs->lit_aoff);
    rs->lit_anchor = rs->lit_aoff = NULL;
}

static uint32_t log2_at_least(uint64_t x, uint32_t lo, uint32_t hi)
{
    uint32_t b = lo;
    while (b < hi && (1ull << b) < x) b++;
    return b;
}

int sg_pf_build(sg_pf *pf, const sp_ruleset *rs, const uint32_t *lits, uint32_t n, uint32_t bits4, uint32_t bits3)
{
    memset(pf, 0, sizeof *pf);
    if (n <= SG_PF_SMALL) {   /* searched one by one (sg_pf_scan): no anchor tables */
        pf->nlit = n;
        if (n) memcpy(pf->small, lits, n * sizeof *lits);
        return 0;
    }
    uint32_t n3 = 0, n2 = 0;
    for (uint32_t i = 0; i < n; i++) { n3 += rs->lit_len[lits[i]] == 3; n2 += rs->lit_len[lits[i]] == 2; }
    /* sized for ~1 false bitmap hit in 32 positions unless given */
    if (!bits4) bits4 = log2_at_least(32ull * (n - n3 - n2), 9, BM_BITS);
    if (!bits3) bits3 = log2_at_least(32ull * n3, 6, BM3_BITS);
    pf->shift4 = 32 - bits4;
    pf->shift3 = 32 - bits3;
    pf->bm = sp_calloc_touched(((size_t)1 << bits4) / 64 + 1, sizeof(uint64_t));
    pf->bm3 = sp_calloc_touched(((size_t)1 << bits3) / 64 + 1, sizeof(uint64_t));
    uint32_t mcap = 16;
    while (mcap < 2 * n + 16) mcap *= 2;
    pf->map = sp_calloc_touched(mcap, sizeof *pf->map);
    pf->ent = malloc((n ? n : 1) * sizeof *pf->ent);
    /* 2-byte literals: a direct bitmap of every byte pair (8 KB), only when some */
    if (n2) pf->bm2 = sp_calloc_touched(65536 / 64, sizeof(uint64_t));
    if (!pf->bm || !pf->bm3 || !pf->map || !pf->ent || (n2 && !pf->bm2)) { sg_pf_free(pf); return -1; }
    pf->map_cap = mcap;
    /* anchor map: (anchor, 3 or 4 bytes) -> entries [start, start+count) */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t l = lits[i], w = awidth(rs->lit_len[l]);
            uint32_t key = rs->lit_anchor[l], h = tmix(key ^ (w << 30)) & (mcap - 1);
            while (pf->map[h].count && !(pf->map[h].key == key && pf->map[h].width == w)) h = (h + 1) & (mcap - 1);
            sg_pfslot *m = &pf->map[h];
            if (pass == 0) { m->key = key; m->width = (uint8_t)w; m->count++; continue; }
            const unsigned char *ls = (const unsigned char *)rs->lit[l];
            uint32_t head = loadw(ls, awidth(rs->lit_len[l]));
            pf->ent[m->start + m->fill++] = (sg_pfent){l, (uint16_t)rs->lit_aoff[l],
                                                       (uint16_t)(rs->lit_len[l] > 0xffff ? 0xffff : rs->lit_len[l]), head};
        }
        if (pass == 0) {
            uint32_t at = 0;
            for (uint32_t h = 0; h < mcap; h++)
                if (pf->map[h].count) { pf->map[h].start = at; at += pf->map[h].count; }
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t l = lits[i];
        if (rs->lit_len[l] == 2) {
            uint32_t b = rs->lit_anchor[l];
            pf->bm2[b >> 6] |= 1ull << (b & 63);
            pf->has2 = 1;
        } else if (rs->lit_len[l] == 3) {
            uint32_t b = hmix(rs->lit_anchor[l]) >> pf->shift3;
            pf->bm3[b >> 6] |= 1ull << (b & 63);
            pf->has3 = 1;
        } else {
            uint32_t b = hmix(rs->lit_anchor[l]) >> pf->shift4;
            pf->bm[b >> 6] |= 1ull << (b & 63);
        }
    }
    pf->nlit = n;
    return 0;
}

int sg_prefilter_build(sp_ruleset *rs)
{
    uint32_t n = rs->nlit;
    sg_prefilter_free(rs);
    rs->lit_anchor = malloc((n ? n : 1) * sizeof *rs->lit_anchor);
    rs->lit_aoff = malloc((n ? n : 1) * sizeof *rs->lit_aoff);
    uint32_t *all = malloc((n ? n : 1) * sizeof *all);
    uint16_t *cnt = NULL;
    /* 1. how often each 4-gram occurs in the literals: a direct-mapped
     * count table that stays in L2 (grams that collide share a counter:
     * anchors need to be rare, not exactly counted; the exact hash table
     * was ~7% of loading SigmaHQ) */
    cnt = calloc((size_t)1 << GC_BITS, sizeof *cnt);
    int rc = -1;
    if (!cnt || !rs->lit_anchor || !rs->lit_aoff || !all) goto out;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *s = (const unsigned char *)rs->lit[i];
        for (uint32_t k = 0; k + 4 <= rs->lit_len[i]; k++) {
            uint16_t *c = &cnt[tmix(load4(s + k)) >> (32 - GC_BITS)];
            if (*c < UINT16_MAX) (*c)++;
        }
    }
    /* 2. each literal's anchor: its rarest 4-gram (later position on ties:
     * literal heads like "\windows\" are the most shared) */
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *s = (const unsigned char *)rs->lit[i];
        all[i] = i;
        if (rs->lit_len[i] < 4) { rs->lit_anchor[i] = loadw(s, rs->lit_len[i]); rs->lit_aoff[i] = 0; continue; }
        uint32_t best = UINT32_MAX, bk = 0;
        for (uint32_t k = 0; k + 4 <= rs->lit_len[i]; k++) {
            uint32_t c = cnt[tmix(load4(s + k)) >> (32 - GC_BITS)];
            if (c <= best) { best = c; bk = k; }
        }
        rs->lit_anchor[i] = load4(s + bk);
        rs->lit_aoff[i] = bk;
    }
    /* 3. the prefilter of every literal */
    rc = sg_pf_build(&rs->pf, rs, all, n, BM_BITS, BM3_BITS);
out:
    free(cnt);
    free(all);
    return rc;
}

static const sg_pfslot *pf_find(const sg_pf *pf, uint32_t key, uint32_t w)
{
    uint32_t h = tmix(key ^ (w << 30)) & (pf->map_cap - 1);
    while (pf->map[h].count) {
        if (pf->map[h].key == key && pf->map[h].width == w) return &pf->map[h];
        h = (h + 1) & (pf->map_cap - 1);
    }
    return NULL;
}

static inline void hit(sp_scanner *sc, uint32_t lid)
{
    uint64_t bit = 1ull << (lid & 63);
    if (sc->lit_on[lid >> 6] & bit) { sc->lit_mask[lid] |= sc->cur_fbit; return; }
    sc->lit_on[lid >> 6] |= bit;
    sc->lit_mask[lid] = sc->cur_fbit;
    if (sc->nhits == sc->cap_hits) {
        uint32_t nc = sc->cap_hits ? sc->cap_hits * 2 : 256;
        uint32_t *nh = realloc(sc->hits, nc * sizeof *nh);
        if (!nh) { sc->hits_lost = 1; return; }
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

static void verify(sp_scanner *sc, const sg_pf *pf, const sg_pfslot *m, const unsigned char *t, size_t n, size_t i)
{
    const sp_ruleset *rs = sc->rs;
    for (uint32_t k = 0; k < m->count; k++) {
        const sg_pfent *e = &pf->ent[m->start + k];
        if (i < e->off) continue;
        size_t st = i - e->off, len = e->len;
        if (st + len > n) continue;
        /* the head first: no trip to the literal's text for most misses */
        if (loadw(t + st, awidth((uint32_t)len)) != e->head) continue;
        if (len <= 4 || (len < 0xffff && same(t + st + 4, (const unsigned char *)rs->lit[e->lit] + 4, len - 4)) ||
            (len == 0xffff && rs->lit_len[e->lit] <= n - st && same(t + st, (const unsigned char *)rs->lit[e->lit], rs->lit_len[e->lit])))
            hit(sc, e->lit);
    }
}

/* Does t[0..n) contain l[0..m)?  16 positions at a time: those where the
 * literal's first and last bytes both sit are checked in full. */
static int contains(const unsigned char *t, size_t n, const unsigned char *l, size_t m)
{
    if (m > n || !m) return m == 0;
    size_t i = 0;
#ifdef __SSE2__
    if (m >= 2) {
        const __m128i f = _mm_set1_epi8((char)l[0]), z = _mm_set1_epi8((char)l[m - 1]);
        for (; i + m - 1 + 16 <= n; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(t + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(t + i + m - 1));
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, z)));
            while (mask) {
                unsigned j = (unsigned)__builtin_ctz(mask);
                if (same(t + i + j + 1, l + 1, m - 2)) return 1;
                mask &= mask - 1;
            }
        }
    }
#endif
    for (; i + m <= n; i++)
        if (t[i] == l[0] && same(t + i, l, m)) return 1;
    return 0;
}

void sg_pf_scan(sp_scanner *sc, const sg_pf *pf, const unsigned char *t, size_t n)
{
    if (n < 2 || !pf->nlit) return;
    if (pf->nlit <= SG_PF_SMALL) {   /* a few literals (keyword searches over every field): one fast search each
                           beats the per-position anchor probes (measured in docs/performance.md) */
        const sp_ruleset *rs = sc->rs;
        for (uint32_t k = 0; k < pf->nlit; k++) {
            uint32_t l = pf->small[k];
            if (contains(t, n, (const unsigned char *)rs->lit[l], rs->lit_len[l])) hit(sc, l);
        }
        return;
    }
    const uint64_t *bm = pf->bm, *bm3 = pf->bm3, *bm2 = pf->bm2;
    const uint32_t s4 = pf->shift4, s3 = pf->shift3;
    if (pf->has2) {
        for (size_t i = 0; i + 2 <= n; i++) {
            uint32_t g2 = load2(t + i);
            if (bm2[g2 >> 6] >> (g2 & 63) & 1) {
                const sg_pfslot *m = pf_find(pf, g2, 2);
                if (m) verify(sc, pf, m, t, n, i);
            }
        }
    }
    if (n < 3) return;
    if (!pf->has3) {
        for (size_t i = 0; i + 4 <= n; i++) {
            uint32_t g = load4(t + i), b = hmix(g) >> s4;
            if (bm[b >> 6] >> (b & 63) & 1) {
                const sg_pfslot *m = pf_find(pf, g, 4);
                if (m) verify(sc, pf, m, t, n, i);
            }
        }
        return;
    }
    for (size_t i = 0; i + 3 <= n; i++) {
        uint32_t g3 = load3(t + i), b3 = hmix(g3) >> s3;
        if (bm3[b3 >> 6] >> (b3 & 63) & 1) {
            const sg_pfslot *m = pf_find(pf, g3, 3);
            if (m) verify(sc, pf, m, t, n, i);
        }
        if (i + 4 <= n) {
            uint32_t g = load4(t + i), b = hmix(g) >> s4;
            if (bm[b >> 6] >> (b & 63) & 1) {
                const sg_pfslot *m = pf_find(pf, g, 4);
                if (m) verify(sc, pf, m, t, n, i);
            }
        }
    }
}

void sg_prefilter_scan(sp_scanner *sc, const unsigned char *t, size_t n)
{
    sg_pf_scan(sc, &sc->rs->pf, t, n);
}
