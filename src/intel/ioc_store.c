/* ioc_store.c — the IOC store: collecting values, compiling the indexes
 * (see ioc_int.h for the design) and looking values up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "intel/ioc_int.h"

#define NONE32 UINT32_MAX

void *ioc_big_alloc(size_t n, int zero)
{
    const size_t huge = (size_t)2 << 20;
    void *p;
    if (n < huge) {
        p = zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
        return p;
    }
    size_t sz = (n + huge - 1) / huge * huge;
    p = aligned_alloc(huge, sz);
    if (!p) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, sz, MADV_HUGEPAGE);
#endif
    if (zero) memset(p, 0, sz);
    return p;
}

static void set_err(sp_error *err, const char *file, const char *msg)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
    err->offset = UINT64_MAX;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    snprintf(err->msg, sizeof err->msg, "%s", msg);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}
#define GROW(arr, cap, need) grow((void **)&(arr), &(cap), (need), sizeof *(arr))

/* ---------------------------------------------------------------- objects */

sp_status sp_intel_new(const sp_intel_opts *opts, sp_intel **out, sp_error *err)
{
    if (!out) return SP_ERR_ARG;
    sp_intel *in = calloc(1, sizeof *in);
    if (!in) {
        set_err(err, NULL, "out of memory");
        return SP_ERR_NOMEM;
    }
    if (opts) in->opts = *opts;
    else in->opts.default_confidence = -1;
    sp_arena_init(&in->arena, 1 << 20);
    *out = in;
    return SP_OK;
}

void sp_intel_free(sp_intel *in)
{
    if (!in) return;
    for (size_t i = 0; i < in->npats; i++) sp_stix_pattern_free(in->pats[i].p);
    free(in->iocs);
    free(in->keypool);
    free(in->keys);
    free(in->pfx);
    free(in->globs);
    free(in->pats);
    free(in->obs);
    free(in->srcs);
    free(in->issues);
    free(in->slots);
    free(in->blobs);
    free(in->posts);
    free(in->cp4);
    free(in->idx16);
    free(in->cp6_start);
    free(in->cp6_node);
    free(in->nodes);
    free(in->ip_post);
    sp_arena_fini(&in->arena);
    free(in);
}

const char *ioc_strdup(sp_intel *in, const char *s, size_t n)
{
    if (!s || !n) return "";
    char *p = sp_arena_alloc(&in->arena, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

uint32_t ioc_src_new(sp_intel *in, const char *path, const char *format)
{
    if (GROW(in->srcs, in->csrcs, in->nsrcs + 1)) return NONE32;
    ioc_src *s = &in->srcs[in->nsrcs];
    memset(s, 0, sizeof *s);
    s->pub.path = ioc_strdup(in, path, strlen(path));
    s->pub.format = format;
    s->pub.error = "";
    if (!s->pub.path) return NONE32;
    return (uint32_t)in->nsrcs++;
}

void ioc_issue_add(sp_intel *in, uint32_t src, const char *where, size_t wlen, const char *reason, int unsupported)
{
    in->issues_total++;
    if (in->nissues >= SP_INTEL_MAX_ISSUES || GROW(in->issues, in->cissues, in->nissues + 1)) return;
    ioc_issue *is = &in->issues[in->nissues];
    is->src = src;
    is->where = ioc_strdup(in, where, wlen);
    is->reason = ioc_strdup(in, reason, strlen(reason));
    is->unsupported = unsupported;
    if (is->where && is->reason) in->nissues++;
}

/* ------------------------------------------------------------- collecting */

static int add_key(sp_intel *in, int kind, const void *k, size_t n, uint32_t post)
{
    if (n > 0xffff || GROW(in->keys, in->ckeys, in->nkeys + 1) || grow((void **)&in->keypool, &in->kpcap, in->kplen + n, 1))
        return -1;
    memcpy(in->keypool + in->kplen, k, n);
    ioc_key *e = &in->keys[in->nkeys++];
    e->off = (uint32_t)in->kplen;
    e->len = (uint16_t)n;
    e->kind = (uint8_t)kind;
    e->pad = 0;
    e->post = post;
    in->kplen += n;
    return 0;
}

static int add_glob(sp_intel *in, int kind, const char *pat, size_t n, uint32_t ioc)
{
    if (GROW(in->globs, in->cglobs, in->nglobs + 1)) return -1;
    const char *p = ioc_strdup(in, pat, n);
    if (!p) return -1;
    in->globs[in->nglobs++] = (ioc_glob){p, (uint32_t)n, (uint8_t)kind, ioc};
    in->glob_kinds |= 1u << kind;
    return 0;
}

static sp_ioc *new_ioc(sp_intel *in, sp_ioc_type t, const char *disp, size_t dn, const sp_ioc_meta *m)
{
    if (in->niocs >= SP_INTEL_MAX_IOCS || in->niocs >= 0x7fffffff) return NULL;
    if (GROW(in->iocs, in->ciocs, in->niocs + 1)) return NULL;
    sp_ioc *o = &in->iocs[in->niocs];
    memset(o, 0, sizeof *o);
    o->type = t;
    o->value = ioc_strdup(in, disp, dn);
    if (!o->value) return NULL;
    o->id = m && m->id ? m->id : "";
    o->source = m && m->source ? m->source : "";
    o->name = m && m->name ? m->name : "";
    o->comment = m && m->comment ? m->comment : "";
    o->confidence = m ? m->confidence : -1;
    o->to_ids = m ? m->to_ids : 1;
    o->valid_from_ms = m && m->valid_from_ms ? m->valid_from_ms : INT64_MIN;
    o->valid_until_ms = m && m->valid_until_ms ? m->valid_until_ms : INT64_MAX;
    if (m) {
        o->labels = m->labels;
        o->nlabels = m->nlabels;
        o->links = m->links;
        o->nlinks = m->nlinks;
    }
    return o;
}

static const char *strip_mutex(const char *v, size_t *n)
{
    static const char *const pre[] = {"Global\\", "Local\\", "\\BaseNamedObjects\\", "Session\\"};
    for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
        size_t l = strlen(pre[i]);
        if (*n > l && !strncasecmp(v, pre[i], l)) {
            v += l;
            *n -= l;
        }
    }
    return v;
}

sp_status ioc_add_value(sp_intel *in, sp_ioc_type t, const char *v, size_t n, const sp_ioc_meta *meta,
                        const char **why)
{
    static const char *dummy;
    if (!why) why = &dummy;
    *why = "";
    if (in->compiled) {
        *why = "the store is compiled";
        return SP_ERR_ARG;
    }
    while (n && (*v == ' ' || *v == '\t')) { v++; n--; }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n')) n--;
    if (!n) {
        *why = "empty value";
        return SP_ERR_FORMAT;
    }
    if (n > SP_INTEL_MAX_VALUE) {
        *why = "value too long";
        return SP_ERR_FORMAT;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
            *why = "value contains control characters";
            return SP_ERR_FORMAT;
        }
    if (t == SP_IOC_NONE) t = sp_ioc_detect(v, n);
    if (t == SP_IOC_NONE) {
        *why = "type not recognised";
        return SP_ERR_FORMAT;
    }
    char key[SP_INTEL_MAX_VALUE + 16];
    uint32_t idx = (uint32_t)in->niocs;
    sp_ioc *o;
    switch (t) {
    case SP_IOC_IPV4:
    case SP_IOC_IPV6: {
        ioc_ip ip;
        if (ioc_parse_ip(v, n, 1, 1, &ip)) {
            *why = "not an IP address or CIDR";
            return SP_ERR_FORMAT;
        }
        size_t dl = ioc_ip_str(&ip, key, sizeof key);
        if (GROW(in->pfx, in->cpfx, in->npfx + 1)) return SP_ERR_NOMEM;
        if (!(o = new_ioc(in, ip.v6 ? SP_IOC_IPV6 : SP_IOC_IPV4, key, dl, meta))) goto nomem;
        ioc_pfx *p = &in->pfx[in->npfx++];
        memcpy(p->b, ip.b, 16);
        p->v6 = ip.v6;
        p->prefix = ip.v6 ? ip.prefix : (uint8_t)(ip.prefix + 96);
        p->ioc = idx;
        break;
    }
    case SP_IOC_DOMAIN:
    case SP_IOC_HOSTNAME: {
        size_t kl = ioc_norm_domain(v, n, key, sizeof key);
        ioc_ip ipchk;
        if (!kl || !ioc_parse_ip(key, kl, 1, 0, &ipchk)) {
            *why = kl ? "an IP address, not a domain name" : "not a domain name";
            return SP_ERR_FORMAT;
        }
        if (!(o = new_ioc(in, t, key, kl, meta)) || add_key(in, K_DOMAIN, key, kl, idx | (t == SP_IOC_DOMAIN ? POST_SUB : 0)))
            goto nomem;
        break;
    }
    case SP_IOC_URL: {
        size_t kl = ioc_norm_url(v, n, key, sizeof key);
        if (!kl) {
            *why = "not a URL (scheme://host...)";
            return SP_ERR_FORMAT;
        }
        if (!(o = new_ioc(in, t, key, kl, meta)) || add_key(in, K_URL, key, kl, idx)) goto nomem;
        break;
    }
    case SP_IOC_MD5:
    case SP_IOC_SHA1:
    case SP_IOC_SHA256:
    case SP_IOC_IMPHASH: {
        uint8_t d[32];
        size_t dl = ioc_hex_digest(v, n, d, sizeof d);
        size_t want = t == SP_IOC_SHA1 ? 20 : t == SP_IOC_SHA256 ? 32 : 16;
        if (dl != want) {
            *why = t == SP_IOC_SHA1 ? "not a SHA1 (40 hex digits)" : t == SP_IOC_SHA256 ? "not a SHA256 (64 hex digits)"
                                                                       : "not an MD5 (32 hex digits)";
            return SP_ERR_FORMAT;
        }
        ioc_lower(v, n, key, sizeof key);
        int kind = t == SP_IOC_MD5 ? K_MD5 : t == SP_IOC_SHA1 ? K_SHA1 : t == SP_IOC_SHA256 ? K_SHA256 : K_IMPHASH;
        if (!(o = new_ioc(in, t, key, n, meta)) || add_key(in, kind, d, dl, idx)) goto nomem;
        break;
    }
    case SP_IOC_FILENAME:
    case SP_IOC_FILEPATH: {
        int glob = 0;
        int is_path = memchr(v, '\\', n) || memchr(v, '/', n);
        if (!is_path) {
            size_t kl = ioc_lower(v, n, key, sizeof key);
            glob = ioc_has_glob(v, n);
            if (!(o = new_ioc(in, SP_IOC_FILENAME, v, n, meta))) goto nomem;
            if (glob ? add_glob(in, K_FNAME, key, kl, idx) : add_key(in, K_FNAME, key, kl, idx)) goto nomem;
        } else {
            size_t kl = ioc_norm_path(v, n, key, sizeof key, &glob);
            if (!kl) {
                *why = "not a file path";
                return SP_ERR_FORMAT;
            }
            if (!(o = new_ioc(in, SP_IOC_FILEPATH, v, n, meta))) goto nomem;
            if (glob ? add_glob(in, K_FPATH, key, kl, idx) : add_key(in, K_FPATH, key, kl, idx)) goto nomem;
        }
        break;
    }
    case SP_IOC_REGKEY: {
        size_t kl = ioc_norm_regkey(v, n, key, sizeof key);
        int glob;
        if (!kl) {                          /* no hive: match under any hive */
            const char *s = v;
            size_t sn = n;
            while (sn && *s == '\\') { s++; sn--; }
            while (sn && s[sn - 1] == '\\') sn--;
            if (!sn || sn + 2 > sizeof key) {
                *why = "not a registry key";
                return SP_ERR_FORMAT;
            }
            key[0] = '*';
            key[1] = '\\';
            kl = 2 + ioc_lower(s, sn, key + 2, sizeof key - 2);
            glob = 1;
        } else
            glob = ioc_has_glob(key, kl);
        if (!(o = new_ioc(in, t, v, n, meta))) goto nomem;
        if (glob ? add_glob(in, K_REG, key, kl, idx) : add_key(in, K_REG, key, kl, idx)) goto nomem;
        break;
    }
    case SP_IOC_MUTEX: {
        size_t mn = n;
        const char *m = strip_mutex(v, &mn);
        if (!(o = new_ioc(in, t, v, n, meta)) || add_key(in, K_MUTEX, m, mn, idx)) goto nomem;
        break;
    }
    case SP_IOC_PIPE: {
        int glob;
        size_t kl = ioc_norm_pipe(v, n, key, sizeof key, &glob);
        if (!kl) {
            *why = "not a pipe name";
            return SP_ERR_FORMAT;
        }
        if (!(o = new_ioc(in, t, v, n, meta))) goto nomem;
        if (glob ? add_glob(in, K_PIPE, key, kl, idx) : add_key(in, K_PIPE, key, kl, idx)) goto nomem;
        break;
    }
    case SP_IOC_PATTERN: {
        sp_stix_pattern *p;
        sp_error e;
        if (sp_stix_pattern_compile(v, n, &p, &e) != SP_OK) {
            *why = "STIX pattern does not parse";
            return SP_ERR_FORMAT;
        }
        return ioc_add_pattern(in, p, v, n, meta);
    }
    default:
        *why = "unknown type";
        return SP_ERR_FORMAT;
    }
    in->niocs++;
    return SP_OK;
nomem:
    *why = "out of memory or limit reached";
    return in->niocs >= SP_INTEL_MAX_IOCS ? SP_ERR_LIMIT : SP_ERR_NOMEM;
}

sp_status ioc_add_pattern(sp_intel *in, sp_stix_pattern *p, const char *text, size_t n, const sp_ioc_meta *meta)
{
    if (GROW(in->pats, in->cpats, in->npats + 1)) {
        sp_stix_pattern_free(p);
        return SP_ERR_NOMEM;
    }
    sp_ioc *o = new_ioc(in, SP_IOC_PATTERN, text, n, meta);
    if (!o) {
        sp_stix_pattern_free(p);
        return SP_ERR_NOMEM;
    }
    in->pats[in->npats++] = (ioc_pat){p, (uint32_t)in->niocs, sp_stix_pattern_single(p)};
    in->niocs++;
    return SP_OK;
}

sp_status ioc_add_observation(sp_intel *in, const sp_observation *o)
{
    if (in->nobs >= SP_STIX_MAX_OBSERVED) return SP_ERR_LIMIT;
    if (GROW(in->obs, in->cobs, in->nobs + 1)) return SP_ERR_NOMEM;
    in->obs[in->nobs++] = *o;
    return SP_OK;
}

/* copy caller-owned metadata into the arena */
static int own_meta(sp_intel *in, const sp_ioc_meta *m, sp_ioc_meta *o)
{
    *o = *m;
    o->id = ioc_strdup(in, m->id, m->id ? strlen(m->id) : 0);
    o->source = ioc_strdup(in, m->source, m->source ? strlen(m->source) : 0);
    o->name = ioc_strdup(in, m->name, m->name ? strlen(m->name) : 0);
    o->comment = ioc_strdup(in, m->comment, m->comment ? strlen(m->comment) : 0);
    if (!o->id || !o->source || !o->name || !o->comment) return -1;
    if (m->nlabels) {
        const char **l = sp_arena_alloc(&in->arena, m->nlabels * sizeof *l);
        if (!l) return -1;
        for (size_t i = 0; i < m->nlabels; i++)
            if (!(l[i] = ioc_strdup(in, m->labels[i], strlen(m->labels[i])))) return -1;
        o->labels = l;
    }
    if (m->nlinks) {
        sp_ioc_link *k = sp_arena_alloc(&in->arena, m->nlinks * sizeof *k);
        if (!k) return -1;
        for (size_t i = 0; i < m->nlinks; i++) {
            const sp_ioc_link *s = &m->links[i];
            k[i].kind = ioc_strdup(in, s->kind, s->kind ? strlen(s->kind) : 0);
            k[i].name = ioc_strdup(in, s->name, s->name ? strlen(s->name) : 0);
            k[i].attack_id = ioc_strdup(in, s->attack_id, s->attack_id ? strlen(s->attack_id) : 0);
            k[i].ref = ioc_strdup(in, s->ref, s->ref ? strlen(s->ref) : 0);
            if (!k[i].kind || !k[i].name || !k[i].attack_id || !k[i].ref) return -1;
        }
        o->links = k;
    }
    return 0;
}

sp_status sp_intel_add(sp_intel *in, sp_ioc_type type, const char *value, size_t len, const sp_ioc_meta *meta,
                       sp_error *err)
{
    if (!in || !value) return SP_ERR_ARG;
    sp_ioc_meta m = {0};
    m.confidence = in->opts.default_confidence;
    m.to_ids = 1;
    if (meta && own_meta(in, meta, &m)) {
        set_err(err, NULL, "out of memory");
        return SP_ERR_NOMEM;
    }
    const char *why;
    sp_status st = ioc_add_value(in, type, value, len, &m, &why);
    if (st != SP_OK) set_err(err, meta && meta->source ? meta->source : NULL, why);
    return st;
}

/* --------------------------------------------------------------- compile */

static inline uint32_t blob_hdr_words(void) { return 3; }

static int build_hash(sp_intel *in)
{
    size_t nk = in->nkeys;
    size_t ns = 16;
    while (ns < nk * 2) ns *= 2;
    in->slots = ioc_big_alloc(ns * sizeof *in->slots, 1);
    uint32_t *kd = malloc((nk ? nk : 1) * sizeof *kd);          /* key -> distinct index */
    uint32_t *dblob = malloc((nk ? nk : 1) * sizeof *dblob);    /* distinct -> blob offset */
    uint32_t *dcount = malloc((nk ? nk : 1) * sizeof *dcount);
    size_t words = 0;
    for (size_t i = 0; i < nk; i++) words += blob_hdr_words() + (in->keys[i].len + 3u) / 4;
    if (words > 0xfffffff0u) words = 0;
    in->blobs = ioc_big_alloc((words ? words : 1) * sizeof *in->blobs, 0);
    if (!in->slots || !kd || !dblob || !dcount || !in->blobs) goto fail;
    in->nslots = ns;
    size_t nd = 0, bw = 0;
    for (size_t i = 0; i < nk; i++) {
        const ioc_key *k = &in->keys[i];
        const uint8_t *kb = (const uint8_t *)in->keypool + k->off;
        uint64_t h = ioc_hash(kb, k->len, k->kind);
        uint32_t tag = (uint32_t)(h >> 32);
        size_t s = (size_t)h & (ns - 1);
        for (;;) {
            uint64_t e = in->slots[s];
            if (!e) {
                uint32_t *b = in->blobs + bw;
                b[0] = 1;
                b[1] = k->post;
                b[2] = (uint32_t)k->kind | ((uint32_t)k->len << 8);
                if (k->len) b[3 + (k->len + 3u) / 4 - 1] = 0;
                memcpy(b + 3, kb, k->len);
                in->slots[s] = ((uint64_t)tag << 32) | (uint32_t)(bw + 1);
                dblob[nd] = (uint32_t)bw;
                dcount[nd] = 1;
                kd[i] = (uint32_t)nd++;
                bw += blob_hdr_words() + (k->len + 3u) / 4;
                break;
            }
            if ((uint32_t)(e >> 32) == tag) {
                uint32_t *b = in->blobs + ((uint32_t)e - 1);
                if (b[2] == ((uint32_t)k->kind | ((uint32_t)k->len << 8)) && !memcmp(b + 3, kb, k->len)) {
                    b[0]++;
                    /* find distinct index: stored later via scan (dblob is in order) */
                    size_t lo = 0, hi = nd;
                    uint32_t off = (uint32_t)e - 1;
                    while (lo < hi) {
                        size_t m = (lo + hi) / 2;
                        if (dblob[m] < off) lo = m + 1;
                        else hi = m;
                    }
                    kd[i] = (uint32_t)lo;
                    dcount[lo]++;
                    break;
                }
            }
            s = (s + 1) & (ns - 1);
        }
    }
    in->nblobs_words = bw;
    /* postings of keys with several indicators */
    size_t np = 0;
    for (size_t d = 0; d < nd; d++)
        if (dcount[d] > 1) np += dcount[d];
    for (size_t i = 0; i < nk; i++) in->kind_n[in->keys[i].kind]++;
    in->posts = malloc((np ? np : 1) * sizeof *in->posts);
    if (!in->posts) goto fail;
    size_t off = 0;
    for (size_t d = 0; d < nd; d++) {
        if (dcount[d] > 1) {
            in->blobs[dblob[d] + 1] = (uint32_t)off;
            off += dcount[d];
            dcount[d] = 0;   /* becomes the fill cursor */
        }
    }
    for (size_t i = 0; i < nk; i++) {
        uint32_t d = kd[i];
        uint32_t *b = in->blobs + dblob[d];
        if (b[0] > 1) in->posts[b[1] + dcount[d]++] = in->keys[i].post;
    }
    in->nposts = np;
    free(kd);
    free(dblob);
    free(dcount);
    return 0;
fail:
    free(kd);
    free(dblob);
    free(dcount);
    return -1;
}

/* 128-bit helpers for the IP sweep */
static ioc_u128 u128_from(const uint8_t b[16])
{
    ioc_u128 r = {0, 0};
    for (int i = 0; i < 8; i++) r.hi = r.hi << 8 | b[i];
    for (int i = 8; i < 16; i++) r.lo = r.lo << 8 | b[i];
    return r;
}
static int u128_cmp(ioc_u128 a, ioc_u128 b)
{
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}
static ioc_u128 u128_end(ioc_u128 s, unsigned prefix)
{
    ioc_u128 e = s;
    if (prefix == 0) {
        e.hi = e.lo = UINT64_MAX;
    } else if (prefix <= 64) {
        e.hi |= prefix == 64 ? 0 : (UINT64_MAX >> prefix);
        e.lo = UINT64_MAX;
    } else if (prefix < 128) {
        e.lo |= UINT64_MAX >> (prefix - 64);
    }
    return e;
}
static ioc_u128 u128_inc(ioc_u128 a)
{
    if (++a.lo == 0) a.hi++;
    return a;
}

static int pfx_cmp(const void *a, const void *b)
{
    const ioc_pfx *x = a, *y = b;
    int c = memcmp(x->b, y->b, 16);
    if (c) return c;
    if (x->prefix != y->prefix) return x->prefix < y->prefix ? -1 : 1;
    return x->ioc < y->ioc ? -1 : x->ioc > y->ioc;
}

typedef struct cp_t { ioc_u128 start; uint32_t node; } cp_t;

static int emit_cp(cp_t **cps, size_t *n, size_t *cap, ioc_u128 start, uint32_t node)
{
    if (*n && !u128_cmp((*cps)[*n - 1].start, start)) {
        (*cps)[*n - 1].node = node;
        if (*n >= 2 && (*cps)[*n - 2].node == node) (*n)--;
        return 0;
    }
    if (*n && (*cps)[*n - 1].node == node) return 0;
    if (!*n && node == NONE32) return 0;
    if (grow((void **)cps, cap, *n + 1, sizeof **cps)) return -1;
    (*cps)[*n].start = start;
    (*cps)[*n].node = node;
    (*n)++;
    return 0;
}

/* Flatten the prefixes of one family [lo, hi) of in->pfx (sorted). */
static int build_family(sp_intel *in, size_t lo, size_t hi, ioc_u128 max, cp_t **cps_out, size_t *ncps)
{
    cp_t *cps = NULL;
    size_t n = 0, cap = 0;
    uint32_t stack[130];
    ioc_u128 stack_end[130];
    size_t sp = 0;
    for (size_t i = lo; i < hi;) {
        /* one node per distinct (address, prefix) */
        size_t j = i;
        while (j < hi && !memcmp(in->pfx[j].b, in->pfx[i].b, 16) && in->pfx[j].prefix == in->pfx[i].prefix) j++;
        ioc_u128 s = u128_from(in->pfx[i].b);
        ioc_u128 e = u128_end(s, in->pfx[i].prefix);
        uint32_t node = (uint32_t)in->nnodes;
        ioc_node *nd = &in->nodes[in->nnodes++];
        nd->post_n = (uint32_t)(j - i);
        nd->prefix = in->pfx[i].prefix;
        if (j - i == 1) nd->post_off = in->pfx[i].ioc;
        else {
            nd->post_off = (uint32_t)in->nip_post;
            for (size_t k = i; k < j; k++) in->ip_post[in->nip_post++] = in->pfx[k].ioc;
        }
        while (sp && u128_cmp(stack_end[sp - 1], s) < 0) {
            ioc_u128 te = stack_end[--sp];
            if (u128_cmp(te, max) && emit_cp(&cps, &n, &cap, u128_inc(te), sp ? stack[sp - 1] : NONE32)) goto fail;
        }
        nd->parent = sp ? stack[sp - 1] : NONE32;
        if (emit_cp(&cps, &n, &cap, s, node)) goto fail;
        if (sp < 130) {
            stack[sp] = node;
            stack_end[sp++] = e;
        }
        i = j;
    }
    while (sp) {
        ioc_u128 te = stack_end[--sp];
        if (u128_cmp(te, max) && emit_cp(&cps, &n, &cap, u128_inc(te), sp ? stack[sp - 1] : NONE32)) goto fail;
    }
    *cps_out = cps;
    *ncps = n;
    return 0;
fail:
    free(cps);
    return -1;
}

static int build_ip(sp_intel *in)
{
    if (in->npfx > 1) qsort(in->pfx, in->npfx, sizeof *in->pfx, pfx_cmp);
    in->ip_post = malloc((in->npfx ? in->npfx : 1) * sizeof *in->ip_post);
    in->nodes = ioc_big_alloc((in->npfx ? in->npfx : 1) * sizeof *in->nodes, 0);
    in->idx16 = calloc(65537, sizeof *in->idx16);
    if (!in->ip_post || !in->nodes || !in->idx16) return -1;
    /* IPv4 entries are ::ffff:a.b.c.d, which sorts after every IPv6 address
     * below ::ffff:0:0 and before the rest: split by the v6 flag instead. */
    size_t n4 = 0;
    ioc_pfx *tmp = malloc((in->npfx ? in->npfx : 1) * sizeof *tmp);
    if (!tmp) return -1;
    size_t a = 0, b = 0;
    for (size_t i = 0; i < in->npfx; i++)
        if (!in->pfx[i].v6) tmp[a++] = in->pfx[i];
    n4 = a;
    for (size_t i = 0; i < in->npfx; i++)
        if (in->pfx[i].v6) tmp[a + b++] = in->pfx[i];
    if (in->npfx) memcpy(in->pfx, tmp, in->npfx * sizeof *tmp);
    free(tmp);
    cp_t *cps = NULL;
    size_t ncps = 0;
    const ioc_u128 max4 = {0, 0x0000ffffffffffffull}, max6 = {UINT64_MAX, UINT64_MAX};
    if (build_family(in, 0, n4, max4, &cps, &ncps)) return -1;
    in->cp4 = ioc_big_alloc((ncps ? ncps : 1) * sizeof *in->cp4, 0);
    if (!in->cp4) {
        free(cps);
        return -1;
    }
    for (size_t i = 0; i < ncps; i++) {
        in->cp4[i].start = (uint32_t)cps[i].start.lo;   /* ::ffff:a.b.c.d: low 32 bits */
        in->cp4[i].node = cps[i].node;
        /* a lone /32 with one indicator: the indicator itself, no node to read */
        const ioc_node *nd = cps[i].node != NONE32 ? &in->nodes[cps[i].node] : NULL;
        if (nd && nd->post_n == 1 && nd->parent == NONE32 && nd->prefix == 128 && nd->post_off < CP_LEAF)
            in->cp4[i].node = CP_LEAF | nd->post_off;
    }
    in->ncp4 = ncps;
    free(cps);
    size_t k = 0;
    for (uint32_t bk = 0; bk <= 65536; bk++) {
        uint64_t lim = (uint64_t)bk << 16;
        while (k < in->ncp4 && in->cp4[k].start < lim) k++;
        in->idx16[bk] = (uint32_t)k;
    }
    if (build_family(in, n4, in->npfx, max6, &cps, &ncps)) return -1;
    in->cp6_start = malloc((ncps ? ncps : 1) * sizeof *in->cp6_start);
    in->cp6_node = malloc((ncps ? ncps : 1) * sizeof *in->cp6_node);
    if (!in->cp6_start || !in->cp6_node) {
        free(cps);
        return -1;
    }
    for (size_t i = 0; i < ncps; i++) {
        in->cp6_start[i] = cps[i].start;
        in->cp6_node[i] = cps[i].node;
    }
    in->ncp6 = ncps;
    free(cps);
    return 0;
}

sp_status sp_intel_compile(sp_intel *in, sp_error *err)
{
    if (!in) return SP_ERR_ARG;
    if (in->compiled) return SP_OK;
    int64_t t0 = ioc_now_ms();
    if (build_hash(in) || build_ip(in)) {
        set_err(err, NULL, "out of memory while building the IOC indexes");
        return SP_ERR_NOMEM;
    }
    /* collected keys are no longer needed */
    free(in->keys);
    in->keys = NULL;
    in->nkeys = in->ckeys = 0;
    free(in->keypool);
    in->keypool = NULL;
    in->kplen = in->kpcap = 0;
    in->compiled = 1;
    in->compile_ms = (double)(ioc_now_ms() - t0);
    return SP_OK;
}

/* ----------------------------------------------------------------- access */

void sp_intel_get_stats(const sp_intel *in, sp_intel_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!in) return;
    out->iocs = in->niocs;
    for (size_t i = 0; i < in->niocs; i++)
        if (in->iocs[i].type < SP_IOC__COUNT) out->by_type[in->iocs[i].type]++;
    out->patterns = in->npats;
    out->observations = in->nobs;
    out->sources = in->nsrcs;
    out->issues = in->issues_total;
    out->load_ms = in->load_ms;
    out->compile_ms = in->compile_ms;
}

size_t sp_intel_count(const sp_intel *in) { return in ? in->niocs : 0; }
const sp_ioc *sp_intel_ioc(const sp_intel *in, size_t i) { return in && i < in->niocs ? &in->iocs[i] : NULL; }
size_t sp_intel_source_count(const sp_intel *in) { return in ? in->nsrcs : 0; }
const sp_intel_source *sp_intel_source_at(const sp_intel *in, size_t i)
{
    return in && i < in->nsrcs ? &in->srcs[i].pub : NULL;
}
size_t sp_intel_issue_count(const sp_intel *in) { return in ? in->nissues : 0; }
int sp_intel_issue_at(const sp_intel *in, size_t i, sp_intel_issue *out)
{
    if (!in || i >= in->nissues) return -1;
    const ioc_issue *is = &in->issues[i];
    out->source = is->src < in->nsrcs ? in->srcs[is->src].pub.path : "";
    out->where = is->where;
    out->reason = is->reason;
    out->unsupported = is->unsupported;
    return 0;
}
size_t sp_intel_observation_count(const sp_intel *in) { return in ? in->nobs : 0; }
const sp_observation *sp_intel_observation(const sp_intel *in, size_t i)
{
    return in && i < in->nobs ? &in->obs[i] : NULL;
}

int sp_ioc_valid_at(const sp_ioc *ioc, int64_t ms)
{
    return ms >= ioc->valid_from_ms && ms <= ioc->valid_until_ms;
}
