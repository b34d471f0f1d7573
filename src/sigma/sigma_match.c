/*
 * sigma_match.c — evaluating compiled conditions against one event.
 *
 * The event is read once into a field table (names, values, lowercased
 * copies) in the scanner's per-event arena, on first need.  Field lookups
 * go through a per-field-id cache stamped with the event epoch: exact name
 * first, then a case-insensitive fallback.  Logsource renames (Security 4688
 * Image -> NewProcessName, ...) are applied to the field id before lookup.
 *
 * Semantics (documented in docs and tests):
 *  - strings compare case-insensitively (ASCII folding) unless `cased`;
 *  - a rule integer matches a typed integer numerically, and any value
 *    whose text equals it;
 *  - `null` matches a missing field or one present but empty;
 *    `''` matches a present empty value; `exists` looks at presence only;
 *  - `neq`: the field is present and none of its values equals any value;
 *  - a field with several values (arrays) matches when any value does;
 *  - keywords (no field) search every value of the event.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sigma/sigma.h"
#include "base/civil.h"

/* ------------------------------------------------------------ field table */

static sg_fval *table_add(sp_scanner *sc, const char *name, size_t nl)
{
    if (sc->nfv >= SP_SIGMA_MAX_EVENT_FIELDS) return NULL;
    sg_fval *f = &sc->fv[sc->nfv++];
    f->name = name;
    f->name_len = (uint32_t)nl;
    f->low = NULL;
    f->hi = 0;
    f->ipstate = 0;
    f->pending = 0;
    f->src = 0;
    /* names of one EVTX chunk keep their address: hash each once */
    uint64_t gen = sc->ev->name_gen;
    uintptr_t a = (uintptr_t)name;
    struct sg_namec *c = gen ? &sc->namec[(a ^ (a >> 9)) & 255] : NULL;
    if (c && c->p == name && c->gen == gen && c->len == nl) {
        f->nh = c->nh;
        f->scan = c->scan;
        return f;
    }
    f->nh = sg_norm_hash(name, nl);
    f->scan = (uint8_t)sg_scan_hash(sc->rs, f->nh);
    if (c) *c = (struct sg_namec){name, gen, (uint32_t)nl, f->nh, f->scan};
    return f;
}

static int table_cb(void *user, const char *name, size_t nl, const sp_value *v)
{
    sp_scanner *sc = user;
    sg_fval *f = table_add(sc, name, nl);
    if (!f) return 1;
    f->v = *v;
    if (!f->v.str) { f->v.str = ""; f->v.len = 0; }
    return 0;
}

/* The table holds the event's own names and values (valid until the match
 * returns, sigma_event.h).  Where the event hands out names first, values
 * are fetched only for the fields something reads: most of an event's
 * fields are read by no candidate rule. */
int sg_build_table(sp_scanner *sc)
{
    if (sc->table_built) return 0;
    sc->table_built = 1;
    sc->nfv = 0;
    const sp_event *ev = sc->ev;
    if (ev->nfields && ev->name_at && ev->values_at) {
        /* events with the same name list (one EVTX template in one chunk)
         * take their entries from the last one's */
        const void *id = ev->name_gen && ev->names_id ? ev->names_id(ev->ev) : NULL;
        struct sg_tcache *tc = NULL;
        if (id) {
            uintptr_t a = (uintptr_t)id;
            tc = &sc->tcache[(a ^ (a >> 7) ^ (a >> 13)) & 31];
            if (tc->id == id && tc->gen == ev->name_gen) {
                for (uint32_t i = 0; i < tc->n; i++) {
                    sg_fval *f = &sc->fv[sc->nfv++];
                    const struct sg_tname *t = &tc->e[i];
                    f->name = t->name;
                    f->name_len = t->len;
                    f->nh = t->nh;
                    f->scan = t->scan;
                    f->low = NULL;
                    f->hi = 0;
                    f->ipstate = 0;
                    f->pending = 1;
                    f->src = i;
                }
                return 0;
            }
        }
        size_t n = ev->nfields(ev->ev);
        for (size_t i = 0; i < n; i++) {
            size_t nl;
            const char *nm = ev->name_at(ev->ev, i, &nl);
            sg_fval *f = table_add(sc, nm, nl);
            if (!f) break;
            f->pending = 1;
            f->src = (uint32_t)i;
        }
        if (tc && sc->nfv == n) {
            if (tc->cap < sc->nfv) {
                struct sg_tname *ne = realloc(tc->e, sc->nfv * sizeof *ne);
                if (!ne) { tc->id = NULL; return 0; }
                tc->e = ne;
                tc->cap = sc->nfv;
            }
            for (uint32_t i = 0; i < sc->nfv; i++)
                tc->e[i] = (struct sg_tname){sc->fv[i].name, sc->fv[i].name_len, sc->fv[i].nh, sc->fv[i].scan};
            tc->id = id;
            tc->gen = ev->name_gen;
            tc->n = sc->nfv;
        }
    } else if (ev->each)
        ev->each(ev->ev, table_cb, sc);
    return 0;
}

/* a pending field's values: the first in place, further ones (arrays)
 * appended to the table */
static void fv_fetch(sp_scanner *sc, sg_fval *f)
{
    if (!f->pending) return;
    f->pending = 0;
    sp_value vals[SP_SIGMA_MAX_FIELD_VALUES];
    size_t n = sc->ev->values_at(sc->ev->ev, f->src, vals, SP_SIGMA_MAX_FIELD_VALUES);
    if (n > SP_SIGMA_MAX_FIELD_VALUES) n = SP_SIGMA_MAX_FIELD_VALUES;
    if (!n) { f->v = (sp_value){"", 0, 0, 0, 1}; return; }
    for (size_t k = 0; k < n; k++) if (!vals[k].str) { vals[k].str = ""; vals[k].len = 0; }
    f->v = vals[0];
    for (size_t k = 1; k < n && sc->nfv < SP_SIGMA_MAX_EVENT_FIELDS; k++) {
        sg_fval *g = &sc->fv[sc->nfv++];
        *g = *f;
        g->v = vals[k];
    }
}

const char *sg_fv_low(sp_scanner *sc, sg_fval *f)
{
    if (f->low) return f->low;
    fv_fetch(sc, f);
    size_t len = f->v.len;
    char *low = sp_arena_alloc(&sc->ar, len + 1);
    if (!low) return NULL;
    const unsigned char *s = (const unsigned char *)f->v.str;
    unsigned char any = 0;
    size_t i = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time: +0x20 where 'A' <= c <= 'Z', and any byte >= 0x80 */
    __m128i hiacc = _mm_setzero_si128();
    const __m128i A1 = _mm_set1_epi8((char)('A' - 1 - 128)), Z = _mm_set1_epi8((char)('Z' - 128)),
                  flip = _mm_set1_epi8((char)0x80), sp = _mm_set1_epi8(0x20);
    for (; i + 16 <= len; i += 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i cs = _mm_xor_si128(c, flip);   /* signed compare of unsigned bytes */
        __m128i up = _mm_and_si128(_mm_cmpgt_epi8(cs, A1), _mm_cmpgt_epi8(_mm_add_epi8(Z, _mm_set1_epi8(1)), cs));
        _mm_storeu_si128((__m128i *)(low + i), _mm_add_epi8(c, _mm_and_si128(up, sp)));
        hiacc = _mm_or_si128(hiacc, c);
    }
    any = (unsigned char)(_mm_movemask_epi8(hiacc) ? 0x80 : 0);
#endif
    for (; i < len; i++) { low[i] = (char)sg_lc(s[i]); any |= s[i]; }
    low[len] = 0;
    f->hi = any >= 0x80;
    sc->any_hi |= f->hi;
    f->low = low;
    return low;
}

static int ci_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sg_lc((unsigned char)a[i]) != sg_lc((unsigned char)b[i])) return 0;
    return 1;
}

/* event name equals the rule's with spaces removed (Sigma: "strip all
 * spaces" from field names, e.g. Defender's "Source Name" -> SourceName) */
static int nospace_eq(const char *ev, size_t en, const char *rule, size_t rn)
{
    size_t j = 0;
    for (size_t i = 0; i < en; i++) {
        if (ev[i] == ' ') continue;
        if (j >= rn || sg_lc((unsigned char)ev[i]) != sg_lc((unsigned char)rule[j])) return 0;
        j++;
    }
    return j == rn;
}

/* pass 0 exact, 1 case-insensitive, 2 case-insensitive ignoring spaces */
static int name_eq(int pass, const sg_fval *f, const char *name, size_t len)
{
    if (pass == 2) return f->name_len > len && nospace_eq(f->name, f->name_len, name, len);
    if (f->name_len != len) return 0;
    return pass == 0 ? !memcmp(f->name, name, len) : ci_eq(f->name, name, len);
}

/* The event's values of a name: exact name first, else case-insensitive,
 * else ignoring spaces; only fields whose name hash (`nh`, loosest
 * comparison) agrees are compared. */
static uint32_t table_find(sp_scanner *sc, const char *name, size_t len, uint32_t nh, const sg_fval ***out)
{
    sg_build_table(sc);
    uint32_t cnt = 0, first = UINT32_MAX;
    int pass = 0;
    *out = NULL;
    for (uint32_t i = 0; i < sc->nfv; i++) if (sc->fv[i].nh == nh) { first = i; break; }
    if (first == UINT32_MAX) return 0;
    /* fetch first: a field's array values join the table as they are */
    for (uint32_t i = first; i < sc->nfv; i++) if (sc->fv[i].nh == nh) fv_fetch(sc, &sc->fv[i]);
    for (; pass < 3; pass++) {
        for (uint32_t i = first; i < sc->nfv; i++)
            if (sc->fv[i].nh == nh && name_eq(pass, &sc->fv[i], name, len)) cnt++;
        if (cnt) break;
    }
    if (cnt > SP_SIGMA_MAX_FIELD_VALUES) cnt = SP_SIGMA_MAX_FIELD_VALUES;
    if (!cnt) return 0;
    const sg_fval **arr = sp_arena_alloc(&sc->ar, cnt * sizeof *arr);
    if (!arr) return 0;
    uint32_t k = 0;
    for (uint32_t i = first; i < sc->nfv && k < cnt; i++)
        if (sc->fv[i].nh == nh && name_eq(pass, &sc->fv[i], name, len)) {
            if (!sg_fv_low(sc, &sc->fv[i])) continue;
            arr[k++] = &sc->fv[i];
        }
    *out = arr;
    return k;
}

uint32_t sg_lookup_name(sp_scanner *sc, const char *name, size_t len, const sg_fval ***out)
{
    return table_find(sc, name, len, sg_norm_hash(name, len), out);
}

uint32_t sg_lookup(sp_scanner *sc, uint32_t fid, const sg_fval ***out)
{
    const sg_lsvar *var = sc->var;
    if (var)
        for (uint32_t i = 0; i < var->nren; i++)
            if (var->ren_from[i] == fid) { fid = var->ren_to[i]; break; }
    sg_fcache *c = &sc->fc[fid];
    if (c->epoch != sc->epoch) {
        c->n = table_find(sc, sc->rs->fname[fid], sc->rs->fname_len[fid], sc->rs->fnh[fid], &c->v);
        c->epoch = sc->epoch;
    }
    *out = c->v;
    return c->n;
}

void sg_scanner_begin_event(sp_scanner *sc, const sp_event *ev)
{
    sp_arena_reset(&sc->ar);
    sc->epoch++;
    if (sc->epoch == 0) {   /* wrapped: clear every stamp */
        for (uint32_t i = 0; i < sc->rs->nfields; i++) sc->fc[i].epoch = 0;
        if (sc->rule_epoch) memset(sc->rule_epoch, 0, sc->rs->nrules * sizeof *sc->rule_epoch);
        if (sc->cand_epoch) memset(sc->cand_epoch, 0, sc->rs->ncands * sizeof *sc->cand_epoch);
        sc->epoch = 1;
    }
    if (sc->hits_lost) {
        memset(sc->lit_on, 0, (sc->rs->nlit / 64 + 1) * sizeof *sc->lit_on);
        sc->hits_lost = 0;
    } else
        for (uint32_t i = 0; i < sc->nhits; i++) sc->lit_on[sc->hits[i] >> 6] = 0;
    sc->ev = ev;
    sc->table_built = 0;
    sc->nfv = 0;
    sc->lits_scanned = 0;
    sc->nhits = 0;
    sc->var = NULL;
    sc->route = NULL;
    sc->any_hi = 0;
    sc->nevents++;
}

/* ------------------------------------------------------------ matchers */

static size_t u8len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* bytes a token consumes at s (or SIZE_MAX) */
static size_t tok_at(const sg_tok *t, const char *s, size_t n)
{
    switch (t->kind) {
    case T_LIT:
        return n >= t->len && !memcmp(s, t->s, t->len) ? t->len : SIZE_MAX;
    case T_ONE: {
        if (!n) return SIZE_MAX;
        size_t l = u8len((unsigned char)s[0]);
        return l > n ? 1 : l;
    }
    case T_DASH:
        if (n && (s[0] == '-' || s[0] == '/')) return 1;
        if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
            ((unsigned char)s[2] == 0x93 || (unsigned char)s[2] == 0x94 || (unsigned char)s[2] == 0x95))
            return 3;
        return SIZE_MAX;
    default:
        return SIZE_MAX;
    }
}

/* wildcard match; tokens are deterministic so the single-backtrack-point
 * algorithm is complete; bounded by SP_SIGMA_MAX_GLOB_STEPS */
static int glob(const sg_tok *t, uint32_t nt, const char *s, size_t n)
{
    uint32_t ti = 0, star_t = UINT32_MAX;
    size_t si = 0, star_s = 0;
    long budget = SP_SIGMA_MAX_GLOB_STEPS;
    while (budget-- > 0) {
        if (ti < nt) {
            if (t[ti].kind == T_STAR) { star_t = ti++; star_s = si; continue; }
            size_t adv = tok_at(&t[ti], s + si, n - si);
            if (adv != SIZE_MAX) { si += adv; ti++; continue; }
        } else if (si == n) return 1;
        if (star_t == UINT32_MAX || star_s >= n) return 0;
        if (star_t == nt - 1) return 1;   /* trailing star eats the rest */
        star_s += u8len((unsigned char)s[star_s]);
        if (star_s > n) return 0;
        si = star_s;
        ti = star_t + 1;
    }
    return 0;
}

static int str_match(const sg_val *v, const char *s, size_t n)
{
    switch (v->mode) {
    case SM_EXACT: return n == v->len && !memcmp(s, v->lit, n);
    case SM_PREFIX: return n >= v->len && !memcmp(s, v->lit, v->len);
    case SM_SUFFIX: return n >= v->len && !memcmp(s + n - v->len, v->lit, v->len);
    case SM_CONTAINS: return v->len == 0 || memmem(s, n, v->lit, v->len) != NULL;
    case SM_ANY: return 1;
    case SM_GLOB: return glob(v->tok, v->ntok, s, n);
    default: return 0;
    }
}

static int parse_ip(const char *s, size_t n, uint8_t ip[16], int *fam)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp) return -1;
    if (s[0] == '[') { s++; n--; const char *e = memchr(s, ']', n); if (e) n = (size_t)(e - s); }
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *pct = strchr(tmp, '%');
    if (pct) *pct = 0;
    if (inet_pton(AF_INET, tmp, ip) == 1) { *fam = 4; return 0; }
    if (inet_pton(AF_INET6, tmp, ip) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!memcmp(ip, mapped, 12)) { memmove(ip, ip + 12, 4); *fam = 4; return 0; }
        *fam = 6;
        return 0;
    }
    return -1;
}

static int cidr_match(const sg_val *v, const sg_fval *fc)
{
    sg_fval *f = (sg_fval *)fc;   /* the parsed address is a per-event cache */
    if (!f->ipstate) {           /* parse once per field value, not once per network */
        int fam;
        f->ipstate = parse_ip(f->v.str, f->v.len, f->ip, &fam) ? 2 : 1;
        f->ipfam = (uint8_t)(f->ipstate == 1 ? fam : 0);
    }
    if (f->ipstate != 1 || f->ipfam != v->fam) return 0;
    const uint8_t *ip = f->ip;
    unsigned bits = v->bits, i = 0;
    for (; bits >= 8; bits -= 8, i++) if (ip[i] != v->ip[i]) return 0;
    if (bits) {
        uint8_t mask = (uint8_t)(0xFF << (8 - bits));
        if ((ip[i] & mask) != (v->ip[i] & mask)) return 0;
    }
    return 1;
}

static int num_of(const sg_fval *f, double *d)
{
    if (f->v.is_int) { *d = (double)f->v.i; return 0; }
    if (!f->v.len || f->v.len > 64) return -1;
    char *e, s[72];
    memcpy(s, f->v.str, f->v.len);
    s[f->v.len] = 0;
    if (f->v.len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        unsigned long long x = strtoull(s + 2, &e, 16);
        if (*e) return -1;
        *d = (double)x;
        return 0;
    }
    *d = strtod(s, &e);
    return (e == s || *e) ? -1 : 0;
}

static int cmp_ok(int op, double a, double b)
{
    switch (op) {
    case CMP_LT: return a < b;
    case CMP_LTE: return a <= b;
    case CMP_GT: return a > b;
    case CMP_GTE: return a >= b;
    case CMP_EQ: return a == b;
    default: return 0;
    }
}

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm) */
static int d2(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }
static int isd(char c) { return c >= '0' && c <= '9'; }

/* part of a timestamp "YYYY-MM-DD[T ]hh:mm..." */
static int time_part(const char *s, size_t n, int part, double *out)
{
    if (n < 10 || !isd(s[0]) || !isd(s[1]) || !isd(s[2]) || !isd(s[3]) || s[4] != '-' || !isd(s[5]) ||
        !isd(s[6]) || s[7] != '-' || !isd(s[8]) || !isd(s[9]))
        return -1;
    int y = d2(s) * 100 + d2(s + 2), mo = d2(s + 5), d = d2(s + 8);
    switch (part) {
    case TP_YEAR: *out = y; return 0;
    case TP_MONTH: *out = mo; return 0;
    case TP_DAY: *out = d; return 0;
    case TP_WEEK: {
        /* ISO 8601: the week holding this week's Thursday */
        if (mo < 1 || mo > 12 || d < 1 || d > 31) return -1;
        int64_t days = sp_days_from_civil(y, mo, d);
        int wd = (int)(((days + 3) % 7 + 7) % 7) + 1;     /* 1970-01-01 was a Thursday; Monday = 1 */
        int64_t thu = days + 4 - wd;
        int ty, tm, td;
        sp_civil_from_days(thu, &ty, &tm, &td);
        int64_t jan1 = sp_days_from_civil(ty, 1, 1);
        *out = (double)((thu - jan1) / 7 + 1);
        return 0;
    }
    case TP_HOUR:
    case TP_MINUTE:
        if (n < 16 || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') || !isd(s[11]) || !isd(s[12]) || s[13] != ':' ||
            !isd(s[14]) || !isd(s[15]))
            return -1;
        *out = part == TP_HOUR ? d2(s + 11) : d2(s + 14);
        return 0;
    default:
        return -1;
    }
}

static int re_match(sp_scanner *sc, const sg_val *v, const sg_fval *f)
{
    sg_regex_ready(sc->rs, v->re_idx);
    int rc = pcre2_match(sc->rs->regexes[v->re_idx], (PCRE2_SPTR)f->v.str, f->v.len, 0, 0, sc->md, sc->mctx);
    return rc >= 0;
}

static int fieldref_match(const sg_val *v, const sg_fval *a, const sg_fval *b)
{
    const char *x = v->cased ? a->v.str : a->low, *y = v->cased ? b->v.str : b->low;
    size_t xn = a->v.len, yn = b->v.len;
    switch (v->mode) {
    case SM_PREFIX: return xn >= yn && !memcmp(x, y, yn);
    case SM_SUFFIX: return xn >= yn && !memcmp(x + xn - yn, y, yn);
    case SM_CONTAINS: return yn == 0 || memmem(x, xn, y, yn) != NULL;
    default: return xn == yn && !memcmp(x, y, xn);
    }
}

/* Can field f hold value v's required literal?  eval_item skips values
 * whose literal occurs nowhere in the event (LIT_OFF), so here it is in some
 * field, and the prefilter marked which (bit 63: fv[63] or later).  No
 * literal: yes. */
static inline int lit_in_field(const sp_scanner *sc, const sg_val *v, const sg_fval *f)
{
    if (v->lit_id == UINT32_MAX) return 1;
    size_t fi = (size_t)(f - sc->fv);
    return (sc->lit_mask[v->lit_id] & (fi < 63 ? 1ull << fi : 1ull << 63)) != 0;
}

/* does value v hold for the field's values? */
static int val_holds(sp_scanner *sc, const sg_item *it, const sg_val *v, const sg_fval **fv, uint32_t n)
{
    switch (v->kind) {
    case VK_NULL:
        for (uint32_t i = 0; i < n; i++)
            if (!fv[i]->v.is_null && fv[i]->v.len) return 0;
        return 1;
    case VK_EXISTS:
        return (n > 0) == (v->exists != 0);
    case VK_FIELDREF: {
        const sg_fval **ov;
        uint32_t on = sg_lookup(sc, v->ref_fid, &ov);
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = 0; j < on; j++)
                if (fieldref_match(v, fv[i], ov[j])) return 1;
        return 0;
    }
    default:
        break;
    }
    for (uint32_t i = 0; i < n; i++) {
        const sg_fval *f = fv[i];
        if (it->tpart) {
            double part;
            if (time_part(f->v.str, f->v.len, it->tpart, &part)) continue;
            if (v->kind == VK_CMP && cmp_ok(v->cmp, part, v->d)) return 1;
            continue;
        }
        switch (v->kind) {
        case VK_STR:
            if (v->is_num && f->v.is_int) { if (f->v.i == v->num) return 1; break; }
            if (!lit_in_field(sc, v, f)) break;
            if (v->lit_id != UINT32_MAX && v->mode == SM_CONTAINS && !v->cased && f - sc->fv < 63)
                return 1;   /* the literal is the value, and the prefilter found it here */
            if (v->hi && !f->hi) break;
            if (str_match(v, v->cased ? f->v.str : f->low, f->v.len)) return 1;
            break;
        case VK_RE:
            if (lit_in_field(sc, v, f) && re_match(sc, v, f)) return 1;
            break;
        case VK_CIDR:
            if (cidr_match(v, f)) return 1;
            break;
        case VK_CMP: {
            double d;
            if (!num_of(f, &d) && cmp_ok(v->cmp, d, v->d)) return 1;
            break;
        }
        default:
            break;
        }
    }
    return 0;
}

static int eval_item(sp_scanner *sc, const sg_item *it)
{
    const sg_fval **fv;
    uint32_t n;
    if (it->fid == SG_KEYWORD) {
        sg_build_table(sc);
        for (uint32_t i = 0; i < sc->nfv; i++) fv_fetch(sc, &sc->fv[i]);
        const sg_fval **arr = sp_arena_alloc(&sc->ar, (sc->nfv ? sc->nfv : 1) * sizeof *arr);
        if (!arr) return 0;
        n = 0;
        for (uint32_t i = 0; i < sc->nfv; i++) if (sg_fv_low(sc, &sc->fv[i])) arr[n++] = &sc->fv[i];
        fv = arr;
    } else n = sg_lookup(sc, it->fid, &fv);

    if (n == 0 && it->needs_field) return 0;   /* only null / exists hold on an absent field */
    if (it->all_hi) {
        uint32_t i = 0;
        while (i < n && !fv[i]->hi) i++;
        if (i == n) return 0;
    }
    const uint32_t *vl = it->vlit;
    if (vl) sg_scan_literals(sc);
    const uint64_t *on = sc->lit_on;
    /* value i cannot hold: its required literal occurs nowhere in the event */
#define LIT_OFF(i) (vl && vl[i] != UINT32_MAX && !(on[vl[i] >> 6] >> (vl[i] & 63) & 1))
    if (it->neq) {
        if (n == 0) return 0;
        for (uint32_t i = 0; i < it->nv; i++)
            if (!LIT_OFF(i) && val_holds(sc, it, &it->v[i], fv, n)) return 0;
        return 1;
    }
    if (!it->all) {
        for (uint32_t i = 0; i < it->nv; i++)
            if (!LIT_OFF(i) && val_holds(sc, it, &it->v[i], fv, n)) return 1;
        return 0;
    }
    /* all: every group needs one alternative that holds */
    uint32_t i = 0;
    while (i < it->nv) {
        uint32_t g = it->v[i].group, j = i;
        int ok = 0;
        for (; j < it->nv && it->v[j].group == g; j++)
            if (!ok && !LIT_OFF(j) && val_holds(sc, it, &it->v[j], fv, n)) ok = 1;
        if (!ok) return 0;
        i = j;
    }
    return 1;
#undef LIT_OFF
}

int sg_eval(sp_scanner *sc, const sg_node *x, int depth)
{
    if (depth > 4 * SP_SIGMA_MAX_COND_DEPTH + 16) return 0;
    switch (x->op) {
    case N_ITEM: return eval_item(sc, x->item);
    case N_AND:
        for (uint32_t i = 0; i < x->n; i++) if (!sg_eval(sc, x->kid[i], depth + 1)) return 0;
        return 1;
    case N_OR:
        for (uint32_t i = 0; i < x->n; i++) if (sg_eval(sc, x->kid[i], depth + 1)) return 1;
        return 0;
    case N_NOT: return !sg_eval(sc, x->kid[0], depth + 1);
    case N_ATLEAST: {
        uint32_t c = 0;
        for (uint32_t i = 0; i < x->n; i++)
            if (sg_eval(sc, x->kid[i], depth + 1) && ++c >= x->k) return 1;
        return 0;
    }
    case N_TRUE: return 1;
    default: return 0;
    }
}
