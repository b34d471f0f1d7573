/* ioc_match.c — lookups in the compiled store, event-field matching and the
 * event-level helper (fields, then STIX patterns over the event taken as one
 * observation).  Nothing here allocates. */
#include <string.h>
#include <strings.h>

#include "intel/ioc_int.h"
#include "sigma/sigma_event.h"

#define NONE32 UINT32_MAX

typedef struct hitset {
    sp_ioc_hit *h;
    size_t max, n;
    uint32_t off, len;   /* span of the value being examined */
} hitset;

static void hs_add(const sp_intel *in, hitset *hs, uint32_t post, sp_ioc_type as, int exact)
{
    const sp_ioc *p = &in->iocs[post & ~POST_SUB];
    for (size_t i = 0; i < hs->n; i++)
        if (hs->h[i].ioc == p) return;
    if (hs->n >= hs->max) return;
    sp_ioc_hit *h = &hs->h[hs->n++];
    h->ioc = p;
    h->as = as;
    h->exact = exact;
    h->off = hs->off;
    h->len = hs->len;
}

static const uint32_t *hfind(const sp_intel *in, int kind, const void *k, size_t n, uint32_t *cnt)
{
    if (!in->kind_n[kind] || n > 0xffff) return NULL;
    uint64_t h = ioc_hash(k, n, (uint64_t)kind);
    uint32_t tag = (uint32_t)(h >> 32), want = (uint32_t)kind | ((uint32_t)n << 8);
    size_t mask = in->nslots - 1, s = (size_t)h & mask;
    for (;;) {
        uint64_t e = in->slots[s];
        if (!e) return NULL;
        if ((uint32_t)(e >> 32) == tag) {
            const uint32_t *b = in->blobs + ((uint32_t)e - 1);
            if (b[2] == want && !memcmp(b + 3, k, n)) {
                *cnt = b[0];
                return b[0] == 1 ? &b[1] : in->posts + b[1];
            }
        }
        s = (s + 1) & mask;
    }
}

static void lk_key(const sp_intel *in, hitset *hs, int kind, const void *k, size_t n, sp_ioc_type as, int exact)
{
    uint32_t c;
    const uint32_t *p = hfind(in, kind, k, n, &c);
    for (uint32_t i = 0; p && i < c; i++) hs_add(in, hs, p[i], as, exact);
}

/* ------------------------------------------------------------------- IPs */

static void lk_ip(const sp_intel *in, hitset *hs, const ioc_ip *ip)
{
    uint32_t node = NONE32;
    if (!ip->v6) {
        uint32_t v = ip->v4, b = v >> 16;
        uint32_t lo = in->idx16[b], hi = in->idx16[b + 1];
        const ioc_cp4 *cp = in->cp4;
        if (lo == hi || cp[lo].start > v) {
            if (lo) node = cp[lo - 1].node;
        } else {
            uint32_t l = lo, r = hi;
            while (r - l > 1) {
                uint32_t m = (l + r) / 2;
                if (cp[m].start <= v) l = m;
                else r = m;
            }
            node = cp[l].node;
        }
        if (node != NONE32 && (node & CP_LEAF)) {
            if (ip->prefix == 32) hs_add(in, hs, node & ~CP_LEAF, SP_IOC_IPV4, 1);
            return;
        }
    } else if (in->ncp6) {
        ioc_u128 k = {0, 0};
        for (int i = 0; i < 8; i++) k.hi = k.hi << 8 | ip->b[i];
        for (int i = 8; i < 16; i++) k.lo = k.lo << 8 | ip->b[i];
        size_t l = 0, r = in->ncp6;
        while (l < r) {                 /* first start > k */
            size_t m = (l + r) / 2;
            const ioc_u128 *s = &in->cp6_start[m];
            if (s->hi < k.hi || (s->hi == k.hi && s->lo <= k.lo)) l = m + 1;
            else r = m;
        }
        if (l) node = in->cp6_node[l - 1];
    }
    unsigned qp = ip->v6 ? ip->prefix : ip->prefix + 96u;
    for (int guard = 0; node != NONE32 && guard < 130; guard++) {
        const ioc_node *nd = &in->nodes[node];
        if (nd->prefix <= qp) {
            sp_ioc_type as = ip->v6 ? SP_IOC_IPV6 : SP_IOC_IPV4;
            if (nd->post_n == 1) hs_add(in, hs, nd->post_off, as, nd->prefix == 128);
            else
                for (uint32_t i = 0; i < nd->post_n; i++)
                    hs_add(in, hs, in->ip_post[nd->post_off + i], as, nd->prefix == 128);
        }
        node = nd->parent;
    }
}

/* --------------------------------------------------------------- domains */

static void lk_domain_norm(const sp_intel *in, hitset *hs, const char *d, size_t n)
{
    if (!in->kind_n[K_DOMAIN]) return;
    uint32_t c;
    const uint32_t *p = hfind(in, K_DOMAIN, d, n, &c);
    for (uint32_t i = 0; p && i < c; i++)
        hs_add(in, hs, p[i], (p[i] & POST_SUB) ? SP_IOC_DOMAIN : SP_IOC_HOSTNAME, 1);
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '.') continue;
        p = hfind(in, K_DOMAIN, d + i + 1, n - i - 1, &c);
        for (uint32_t j = 0; p && j < c; j++)
            if (p[j] & POST_SUB) hs_add(in, hs, p[j], SP_IOC_DOMAIN, 0);
    }
}

static void lk_host(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    ioc_ip ip;
    if (!ioc_parse_ip(s, n, 0, 1, &ip)) {
        lk_ip(in, hs, &ip);
        return;
    }
    if (!in->kind_n[K_DOMAIN]) return;
    const char *c = memchr(s, ':', n);     /* host:port */
    if (c) n = (size_t)(c - s);
    char d[256];
    size_t dl = ioc_norm_domain(s, n, d, sizeof d);
    if (dl) lk_domain_norm(in, hs, d, dl);
}

/* ------------------------------------------------------------------- URLs */

static void lk_url(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    char u[SP_INTEL_MAX_VALUE + 16];
    size_t ul = ioc_norm_url(s, n, u, sizeof u);
    if (!ul) return;
    if (in->kind_n[K_URL]) lk_key(in, hs, K_URL, u, ul, SP_IOC_URL, 1);
    const char *h = strstr(u, "://");
    if (!h) return;
    h += 3;
    const char *e = h;
    if (*e == '[') {
        while (e < u + ul && *e != ']') e++;
        if (e < u + ul) e++;
    } else
        while (e < u + ul && *e != '/' && *e != ':' && *e != '?') e++;
    lk_host(in, hs, h, (size_t)(e - h));
}

/* ----------------------------------------------------------------- hashes */

static void lk_hash(const sp_intel *in, hitset *hs, const char *s, size_t n, int imphash_only)
{
    uint8_t d[32];
    size_t dl = ioc_hex_digest(s, n, d, sizeof d);
    if (dl == 16) {
        if (!imphash_only) lk_key(in, hs, K_MD5, d, 16, SP_IOC_MD5, 1);
        lk_key(in, hs, K_IMPHASH, d, 16, SP_IOC_IMPHASH, 1);
    } else if (dl == 20 && !imphash_only)
        lk_key(in, hs, K_SHA1, d, 20, SP_IOC_SHA1, 1);
    else if (dl == 32 && !imphash_only)
        lk_key(in, hs, K_SHA256, d, 32, SP_IOC_SHA256, 1);
}

/* "SHA1=...,MD5=...,SHA256=...,IMPHASH=..." (Sysmon), or one bare digest */
static void lk_hashes(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    size_t i = 0;
    uint32_t base = hs->off;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ',' && s[j] != ';' && s[j] != ' ') j++;
        const char *t = s + i;
        size_t tl = j - i;
        const char *eq = memchr(t, '=', tl);
        hs->off = base + (uint32_t)i;
        if (eq) {
            size_t kl = (size_t)(eq - t);
            const char *v = eq + 1;
            size_t vl = tl - kl - 1;
            hs->off += (uint32_t)(kl + 1);
            hs->len = (uint32_t)vl;
            uint8_t d[32];
            size_t dl = ioc_hex_digest(v, vl, d, sizeof d);
            if (kl == 7 && !strncasecmp(t, "IMPHASH", 7)) {
                if (dl == 16) lk_key(in, hs, K_IMPHASH, d, 16, SP_IOC_IMPHASH, 1);
            } else if (kl == 3 && !strncasecmp(t, "MD5", 3)) {
                if (dl == 16) lk_key(in, hs, K_MD5, d, 16, SP_IOC_MD5, 1);
            } else if (kl == 4 && !strncasecmp(t, "SHA1", 4)) {
                if (dl == 20) lk_key(in, hs, K_SHA1, d, 20, SP_IOC_SHA1, 1);
            } else if (kl == 6 && !strncasecmp(t, "SHA256", 6)) {
                if (dl == 32) lk_key(in, hs, K_SHA256, d, 32, SP_IOC_SHA256, 1);
            }
        } else if (tl) {
            hs->len = (uint32_t)tl;
            lk_hash(in, hs, t, tl, 0);
        }
        i = j + 1;
    }
    hs->off = base;
}

/* ------------------------------------------------------- files and paths */

static void lk_name(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    char k[SP_INTEL_MAX_VALUE];
    while (n && (s[n - 1] == '"' || s[n - 1] == ' ')) n--;
    while (n && (*s == '"' || *s == ' ')) { s++; n--; }
    if (!n || n > sizeof k) return;
    if (in->kind_n[K_FNAME]) {
        size_t kl = ioc_lower(s, n, k, sizeof k);
        lk_key(in, hs, K_FNAME, k, kl, SP_IOC_FILENAME, 1);
    }
    if (in->glob_kinds & (1u << K_FNAME))
        for (size_t i = 0; i < in->nglobs; i++)
            if (in->globs[i].kind == K_FNAME && ioc_glob_match(in->globs[i].pat, in->globs[i].len, s, n))
                hs_add(in, hs, in->globs[i].ioc, SP_IOC_FILENAME, 0);
}

static void lk_path(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    char k[SP_INTEL_MAX_VALUE];
    int glob;
    size_t kl = ioc_norm_path(s, n, k, sizeof k, &glob);
    if (kl && in->kind_n[K_FPATH]) lk_key(in, hs, K_FPATH, k, kl, SP_IOC_FILEPATH, 1);
    if (kl && (in->glob_kinds & (1u << K_FPATH)))
        for (size_t i = 0; i < in->nglobs; i++)
            if (in->globs[i].kind == K_FPATH && ioc_glob_match(in->globs[i].pat, in->globs[i].len, k, kl))
                hs_add(in, hs, in->globs[i].ioc, SP_IOC_FILEPATH, 0);
    size_t bl;
    const char *b = ioc_basename(s, n, &bl);
    if (bl) lk_name(in, hs, b, bl);
}

/* --------------------------------------------------- registry, pipes, mutex */

static void lk_reg(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    char k[SP_INTEL_MAX_VALUE];
    size_t kl = ioc_norm_regkey(s, n, k, sizeof k);
    if (!kl) {
        kl = ioc_lower(s, n, k, sizeof k);
        while (kl && k[kl - 1] == '\\') kl--;
    }
    if (!kl) return;
    int globs = (in->glob_kinds & (1u << K_REG)) != 0;
    size_t l = kl;
    for (int depth = 0; l && depth < 256; depth++) {
        if (in->kind_n[K_REG]) lk_key(in, hs, K_REG, k, l, SP_IOC_REGKEY, l == kl);
        if (globs)
            for (size_t i = 0; i < in->nglobs; i++)
                if (in->globs[i].kind == K_REG && ioc_glob_match(in->globs[i].pat, in->globs[i].len, k, l))
                    hs_add(in, hs, in->globs[i].ioc, SP_IOC_REGKEY, 0);
        while (l && k[l - 1] != '\\') l--;
        if (l) l--;
    }
}

static void lk_pipe(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    char k[SP_INTEL_MAX_VALUE];
    int glob;
    size_t kl = ioc_norm_pipe(s, n, k, sizeof k, &glob);
    if (!kl) return;
    if (in->kind_n[K_PIPE]) lk_key(in, hs, K_PIPE, k, kl, SP_IOC_PIPE, 1);
    if (in->glob_kinds & (1u << K_PIPE))
        for (size_t i = 0; i < in->nglobs; i++)
            if (in->globs[i].kind == K_PIPE && ioc_glob_match(in->globs[i].pat, in->globs[i].len, k, kl))
                hs_add(in, hs, in->globs[i].ioc, SP_IOC_PIPE, 0);
}

static void lk_mutex(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    static const char *const pre[] = {"Global\\", "Local\\", "\\BaseNamedObjects\\", "Session\\"};
    for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
        size_t l = strlen(pre[i]);
        if (n > l && !strncasecmp(s, pre[i], l)) {
            s += l;
            n -= l;
        }
    }
    lk_key(in, hs, K_MUTEX, s, n, SP_IOC_MUTEX, 1);
}

/* --------------------------------------------------------- command lines */

static int tok_sep(unsigned char c)
{
    return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '|' || c == '&' || c == ';' ||
           c == ',' || c == '(' || c == ')' || c == '=' || c == '`' || c == '@' || c == '{' || c == '}';
}

static void lk_token(const sp_intel *in, hitset *hs, const char *t, size_t n)
{
    while (n && (t[n - 1] == '.' || t[n - 1] == ':' || t[n - 1] == ']' || t[n - 1] == '[')) n--;
    if (n < 3) return;
    const char *u = NULL;
    for (size_t i = 0; i + 2 < n; i++)
        if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/') { u = t + i; break; }
    if (u) {
        const char *s = u;
        while (s > t && ((s[-1] | 32) >= 'a' && (s[-1] | 32) <= 'z')) s--;
        if (s < u) lk_url(in, hs, s, n - (size_t)(s - t));
        return;
    }
    unsigned char c0 = (unsigned char)t[0];
    if (c0 >= '0' && c0 <= '9') {         /* 1.2.3.4, 1.2.3.4:443, 1.2.3.4:/home/x */
        size_t j = 0;
        while (j < n && ((t[j] >= '0' && t[j] <= '9') || t[j] == '.')) j++;
        ioc_ip ip;
        if (!ioc_parse_ip(t, j, 0, 1, &ip)) {
            uint32_t keep = hs->len;
            hs->len = (uint32_t)j;
            lk_ip(in, hs, &ip);
            hs->len = keep;
            return;
        }
    }
    if (memchr(t, ':', n) && !memchr(t, '\\', n) && !memchr(t, '/', n)) {
        ioc_ip ip;
        if (!ioc_parse_ip(t, n, 0, 1, &ip)) {
            lk_ip(in, hs, &ip);
            return;
        }
    }
    if (n > 2 && t[0] == '\\' && t[1] == '\\') {   /* \\host\share\... */
        size_t j = 2;
        while (j < n && t[j] != '\\') j++;
        lk_host(in, hs, t + 2, j - 2);
    }
    if (memchr(t, '\\', n) || memchr(t, '/', n)) {
        lk_path(in, hs, t, n);
        return;
    }
    if (!memchr(t, '.', n)) {
        lk_name(in, hs, t, n);
        return;
    }
    sp_ioc_type ty = sp_ioc_detect(t, n);
    if (ty == SP_IOC_DOMAIN) lk_host(in, hs, t, n);
    else if (ty == SP_IOC_FILENAME) lk_name(in, hs, t, n);
    else if (ty == SP_IOC_MD5 || ty == SP_IOC_SHA1 || ty == SP_IOC_SHA256) lk_hash(in, hs, t, n, 0);
}

static void lk_cmdline(const sp_intel *in, hitset *hs, const char *s, size_t n)
{
    uint32_t base = hs->off;
    size_t i = 0;
    for (int tokens = 0; i < n && tokens < SP_INTEL_MAX_TOKENS; tokens++) {
        while (i < n && tok_sep((unsigned char)s[i])) i++;
        size_t j = i;
        while (j < n && !tok_sep((unsigned char)s[j])) j++;
        if (j > i) {
            hs->off = base + (uint32_t)i;
            hs->len = (uint32_t)(j - i);
            lk_token(in, hs, s + i, j - i);
        }
        i = j;
    }
    hs->off = base;
}

/* ---------------------------------------------------------- the public API */

static void lookup_as(const sp_intel *in, hitset *hs, sp_ioc_type t, const char *v, size_t n)
{
    switch (t) {
    case SP_IOC_IPV4:
    case SP_IOC_IPV6: {
        ioc_ip ip;
        if (!ioc_parse_ip(v, n, 1, 1, &ip)) lk_ip(in, hs, &ip);
        break;
    }
    case SP_IOC_DOMAIN:
    case SP_IOC_HOSTNAME: lk_host(in, hs, v, n); break;
    case SP_IOC_URL: lk_url(in, hs, v, n); break;
    case SP_IOC_MD5:
    case SP_IOC_SHA1:
    case SP_IOC_SHA256: lk_hash(in, hs, v, n, 0); break;
    case SP_IOC_IMPHASH: lk_hash(in, hs, v, n, 1); break;
    case SP_IOC_FILENAME:
    case SP_IOC_FILEPATH:
        if (memchr(v, '\\', n) || memchr(v, '/', n)) lk_path(in, hs, v, n);
        else lk_name(in, hs, v, n);
        break;
    case SP_IOC_REGKEY: lk_reg(in, hs, v, n); break;
    case SP_IOC_MUTEX: lk_mutex(in, hs, v, n); break;
    case SP_IOC_PIPE: lk_pipe(in, hs, v, n); break;
    default: break;
    }
}

size_t sp_intel_lookup(const sp_intel *in, sp_ioc_type t, const char *v, size_t n, sp_ioc_hit *hits, size_t max)
{
    if (!in || !in->compiled || !v || !n || n > SP_INTEL_MAX_VALUE) return 0;
    hitset hs = {hits, max, 0, 0, (uint32_t)n};
    if (t == SP_IOC_NONE && (n == 32 || n == 40 || n == 64)) {   /* hashes: the common case, one parse */
        uint8_t d[32];
        size_t dl = ioc_hex_digest(v, n, d, sizeof d);
        if (dl == 16) {
            lk_key(in, &hs, K_MD5, d, 16, SP_IOC_MD5, 1);
            lk_key(in, &hs, K_IMPHASH, d, 16, SP_IOC_IMPHASH, 1);
        } else if (dl == 20)
            lk_key(in, &hs, K_SHA1, d, 20, SP_IOC_SHA1, 1);
        else if (dl == 32)
            lk_key(in, &hs, K_SHA256, d, 32, SP_IOC_SHA256, 1);
        if (dl) return hs.n;
    }
    if (t == SP_IOC_NONE) t = sp_ioc_detect(v, n);
    if (t == SP_IOC_NONE) {                  /* a mutex, a bare name or a pipe */
        lk_mutex(in, &hs, v, n);
        lk_name(in, &hs, v, n);
        lk_pipe(in, &hs, v, n);
        return hs.n;
    }
    lookup_as(in, &hs, t, v, n);
    if (t == SP_IOC_FILENAME || t == SP_IOC_FILEPATH) lk_pipe(in, &hs, v, n);   /* "\qt-1-2" */
    return hs.n;
}

/* field names (lower case), by class; matched against the whole name and
 * its last dotted component */
static const struct { const char *name; int cls, dir; } fields[] = {
    {"ipaddress", F_IP, 1}, {"sourceip", F_IP, 1}, {"destinationip", F_IP, 2}, {"sourceaddress", F_IP, 1},
    {"destaddress", F_IP, 2}, {"destinationaddress", F_IP, 2}, {"c-ip", F_IP, 1}, {"s-ip", F_IP, 2},
    {"src_ip", F_IP, 1}, {"dst_ip", F_IP, 2}, {"srcip", F_IP, 1}, {"dstip", F_IP, 2}, {"clientip", F_IP, 1},
    {"client_ip", F_IP, 1}, {"clientaddress", F_IP, 1}, {"remoteaddress", F_IP, 1}, {"remote_addr", F_IP, 1},
    {"remoteip", F_IP, 1}, {"remote_ip", F_IP, 1}, {"ip", F_IP, 0}, {"ipv4", F_IP, 0}, {"ipv6", F_IP, 0},
    {"id.orig_h", F_IP, 1}, {"id.resp_h", F_IP, 2}, {"orig_h", F_IP, 1}, {"resp_h", F_IP, 2},
    {"x-forwarded-for", F_IP, 1}, {"cs(x-forwarded-for)", F_IP, 1}, {"address", F_IP, 0},
    {"source.ip", F_IP, 1}, {"destination.ip", F_IP, 2}, {"client.ip", F_IP, 1}, {"server.ip", F_IP, 2},
    {"sourcenetworkaddress", F_IP, 1}, {"callerip", F_IP, 1}, {"calleripaddress", F_IP, 1},
    {"queryname", F_HOST, 2}, {"destinationhostname", F_HOST, 2}, {"sourcehostname", F_HOST, 1},
    {"host", F_HOST, 2}, {"cs-host", F_HOST, 2}, {"cs(host)", F_HOST, 2}, {"query", F_HOST, 2},
    {"server_name", F_HOST, 2}, {"servername", F_HOST, 2}, {"rrname", F_HOST, 2}, {"sni", F_HOST, 2},
    {"http_host", F_HOST, 2}, {"domain", F_HOST, 2}, {"question.name", F_HOST, 2}, {"registered_domain", F_HOST, 2},
    {"url", F_URL, 0}, {"uri", F_URL, 0}, {"url.full", F_URL, 0}, {"url.original", F_URL, 0},
    {"requesturl", F_URL, 0}, {"request_url", F_URL, 0}, {"referer", F_URL, 0}, {"referrer", F_URL, 0},
    {"cs(referer)", F_URL, 0},
    {"hashes", F_HASHES, 0}, {"hash", F_HASHES, 0}, {"md5", F_HASHES, 0}, {"sha1", F_HASHES, 0},
    {"sha256", F_HASHES, 0}, {"filehash", F_HASHES, 0}, {"imphash", F_IMPHASH, 0},
    {"image", F_IMAGE, 0}, {"parentimage", F_IMAGE, 0}, {"newprocessname", F_IMAGE, 0},
    {"parentprocessname", F_IMAGE, 0}, {"processname", F_IMAGE, 0}, {"targetfilename", F_IMAGE, 0},
    {"imageloaded", F_IMAGE, 0}, {"sourceimage", F_IMAGE, 0}, {"targetimage", F_IMAGE, 0},
    {"application", F_IMAGE, 0}, {"executable", F_IMAGE, 0}, {"path", F_IMAGE, 0}, {"filepath", F_IMAGE, 0},
    {"targetpath", F_IMAGE, 0}, {"callerprocessname", F_IMAGE, 0}, {"relativetargetname", F_IMAGE, 0},
    {"process_path", F_IMAGE, 0}, {"file.path", F_IMAGE, 0}, {"process.executable", F_IMAGE, 0},
    {"originalfilename", F_FILENAME, 0}, {"filename", F_FILENAME, 0}, {"file_name", F_FILENAME, 0},
    {"file.name", F_FILENAME, 0}, {"process.name", F_FILENAME, 0},
    {"commandline", F_CMDLINE, 0}, {"parentcommandline", F_CMDLINE, 0}, {"processcommandline", F_CMDLINE, 0},
    {"command_line", F_CMDLINE, 0}, {"cmdline", F_CMDLINE, 0}, {"imagepath", F_CMDLINE, 0},
    {"servicefilename", F_CMDLINE, 0}, {"scriptblocktext", F_CMDLINE, 0}, {"details", F_CMDLINE, 0},
    {"process.command_line", F_CMDLINE, 0}, {"args", F_CMDLINE, 0}, {"command", F_CMDLINE, 0},
    {"targetobject", F_REG, 0}, {"newname", F_REG, 0}, {"registry.path", F_REG, 0}, {"registry.key", F_REG, 0},
    {"objectname", F_OBJECT, 0},
    {"pipename", F_PIPE, 0}, {"pipe", F_PIPE, 0},
    {"mutex", F_MUTEX, 0}, {"mutexname", F_MUTEX, 0}, {"mutant", F_MUTEX, 0},
    {"destinationport", F_PORT, 2}, {"sourceport", F_PORT, 1}, {"id.orig_p", F_PORT, 1},
    {"id.resp_p", F_PORT, 2}, {"src_port", F_PORT, 1}, {"dst_port", F_PORT, 2}, {"destport", F_PORT, 2},
    {"sourceport", F_PORT, 1}, {"s-port", F_PORT, 2},
};

static int name_eq(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    return an == bn && !strncasecmp(a, b, an);
}

int ioc_field_class(const char *f, size_t fn, int *dir)
{
    *dir = 0;
    /* the whole name first (id.orig_h, source.ip), then the last component */
    const char *last = f;
    size_t ln = fn;
    for (size_t i = fn; i; i--)
        if (f[i - 1] == '.') {
            last = f + i;
            ln = fn - i;
            break;
        }
    for (int pass = 0; pass < 2; pass++) {
        const char *s = pass ? last : f;
        size_t n = pass ? ln : fn;
        if (pass && s == f) break;
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
            if (name_eq(s, n, fields[i].name)) {
                *dir = fields[i].dir;
                return fields[i].cls;
            }
    }
    /* "...Ip", "...IpAddress" */
    if (ln > 2 && !strncasecmp(last + ln - 2, "ip", 2)) return F_IP;
    if (ln > 9 && !strncasecmp(last + ln - 9, "ipaddress", 9)) return F_IP;
    return F_NONE;
}

static void lk_ip_list(const sp_intel *in, hitset *hs, const char *v, size_t n)
{
    ioc_ip ip;
    if (!ioc_parse_ip(v, n, 0, 1, &ip)) {
        lk_ip(in, hs, &ip);
        return;
    }
    /* "a, b, c" (X-Forwarded-For) */
    uint32_t base = hs->off;
    size_t i = 0;
    for (int k = 0; i < n && k < 64; k++) {
        while (i < n && (v[i] == ' ' || v[i] == ',')) i++;
        size_t j = i;
        while (j < n && v[j] != ',' && v[j] != ' ') j++;
        if (j > i && !ioc_parse_ip(v + i, j - i, 0, 1, &ip)) {
            hs->off = base + (uint32_t)i;
            hs->len = (uint32_t)(j - i);
            lk_ip(in, hs, &ip);
        }
        i = j;
    }
    hs->off = base;
}

static void match_generic(const sp_intel *in, hitset *hs, const char *v, size_t n)
{
    if (n < 3 || n > 2048) return;
    unsigned char c0 = (unsigned char)v[0];
    if ((c0 >= '0' && c0 <= '9') || c0 == ':' || c0 == '[') {
        ioc_ip ip;
        if (!ioc_parse_ip(v, n, 0, 1, &ip)) {
            lk_ip(in, hs, &ip);
            return;
        }
    }
    if (n == 32 || n == 40 || n == 64) {
        lk_hash(in, hs, v, n, 0);
        if (hs->n) return;
    }
    if (n > 8 && memmem(v, n, "://", 3)) {
        lk_url(in, hs, v, n);
        return;
    }
    if (in->kind_n[K_DOMAIN] && memchr(v, '.', n) && !memchr(v, ' ', n) && !memchr(v, '\\', n) &&
        !memchr(v, '/', n) && sp_ioc_detect(v, n) == SP_IOC_DOMAIN)
        lk_host(in, hs, v, n);
}

size_t sp_intel_match_field(const sp_intel *in, const char *field, size_t flen, const char *v, size_t n,
                            sp_ioc_hit *hits, size_t max)
{
    if (!in || !in->compiled || !v || !n || !max) return 0;
    hitset hs = {hits, max, 0, 0, (uint32_t)n};
    int dir;
    int cls = field ? ioc_field_class(field, flen, &dir) : F_NONE;
    if (n > 65536 && cls != F_CMDLINE) return 0;
    switch (cls) {
    case F_IP:
        if (in->npfx) lk_ip_list(in, &hs, v, n);
        break;
    case F_HOST: lk_host(in, &hs, v, n); break;
    case F_URL:
        if (memmem(v, n, "://", 3)) lk_url(in, &hs, v, n);
        else if (n && v[0] != '/') lk_host(in, &hs, v, n);
        break;
    case F_HASHES: lk_hashes(in, &hs, v, n); break;
    case F_IMPHASH: lk_hash(in, &hs, v, n, 1); break;
    case F_IMAGE:
        if (memchr(v, '\\', n) || memchr(v, '/', n)) lk_path(in, &hs, v, n);
        else lk_name(in, &hs, v, n);
        break;
    case F_FILENAME:
        if (memchr(v, '\\', n) || memchr(v, '/', n)) lk_path(in, &hs, v, n);
        else lk_name(in, &hs, v, n);
        break;
    case F_CMDLINE: lk_cmdline(in, &hs, v, n); break;
    case F_REG: lk_reg(in, &hs, v, n); break;
    case F_OBJECT:
        if (n > 10 && !strncasecmp(v, "\\REGISTRY\\", 10)) lk_reg(in, &hs, v, n);
        else if (memchr(v, '\\', n)) lk_path(in, &hs, v, n);
        break;
    case F_PIPE: lk_pipe(in, &hs, v, n); break;
    case F_MUTEX: lk_mutex(in, &hs, v, n); break;
    case F_PORT: break;
    default: match_generic(in, &hs, v, n); break;
    }
    return hs.n;
}

/* ------------------------------------------------------------ event level */

typedef struct ev_ctx {
    const sp_intel *in;
    sp_intel_hit_fn fn;
    void *user;
    size_t reported;
    int stop;
    /* the event as one STIX observation */
    int want_obs;
    sp_obs_value vals[SP_INTEL_MAX_OBS_VALUES];
    size_t nvals;
    char scratch[8192];
    size_t used;
} ev_ctx;

static void obs_add(ev_ctx *c, const char *path, const char *v, size_t n)
{
    if (c->nvals < SP_INTEL_MAX_OBS_VALUES && n) c->vals[c->nvals++] = (sp_obs_value){path, v, n};
}

static const char *scratch_copy(ev_ctx *c, const char *s, size_t n)
{
    if (c->used + n + 1 > sizeof c->scratch) return NULL;
    char *p = c->scratch + c->used;
    memcpy(p, s, n);
    p[n] = 0;
    c->used += n + 1;
    return p;
}

static void obs_field(ev_ctx *c, int cls, int dir, const char *v, size_t n)
{
    switch (cls) {
    case F_IP: {
        ioc_ip ip;
        char t[64];
        if (ioc_parse_ip(v, n, 0, 1, &ip)) return;
        size_t tl = ioc_ip_str(&ip, t, sizeof t);
        const char *s = scratch_copy(c, t, tl);
        if (!s) return;
        obs_add(c, ip.v6 ? "ipv6-addr:value" : "ipv4-addr:value", s, tl);
        if (dir == 1) obs_add(c, "network-traffic:src_ref.value", s, tl);
        if (dir == 2) obs_add(c, "network-traffic:dst_ref.value", s, tl);
        break;
    }
    case F_PORT:
        obs_add(c, dir == 1 ? "network-traffic:src_port" : "network-traffic:dst_port", v, n);
        break;
    case F_HOST: {
        char d[256];
        size_t dl = ioc_norm_domain(v, n, d, sizeof d);
        const char *s = dl ? scratch_copy(c, d, dl) : NULL;
        if (!s) return;
        obs_add(c, "domain-name:value", s, dl);
        if (dir == 2) obs_add(c, "network-traffic:dst_ref.value", s, dl);
        break;
    }
    case F_URL: obs_add(c, "url:value", v, n); break;
    case F_HASHES: {
        size_t i = 0;
        while (i < n) {
            size_t j = i;
            while (j < n && v[j] != ',') j++;
            const char *eq = memchr(v + i, '=', j - i);
            if (eq) {
                size_t kl = (size_t)(eq - v - i);
                const char *h = eq + 1;
                size_t hl = j - (size_t)(h - v);
                if (kl == 3 && !strncasecmp(v + i, "MD5", 3)) obs_add(c, "file:hashes.MD5", h, hl);
                else if (kl == 4 && !strncasecmp(v + i, "SHA1", 4)) obs_add(c, "file:hashes.SHA-1", h, hl);
                else if (kl == 6 && !strncasecmp(v + i, "SHA256", 6)) obs_add(c, "file:hashes.SHA-256", h, hl);
                else if (kl == 7 && !strncasecmp(v + i, "IMPHASH", 7))
                    obs_add(c, "file:extensions.windows-pebinary-ext.imphash", h, hl);
            } else if (j - i == 32) obs_add(c, "file:hashes.MD5", v + i, j - i);
            else if (j - i == 40) obs_add(c, "file:hashes.SHA-1", v + i, j - i);
            else if (j - i == 64) obs_add(c, "file:hashes.SHA-256", v + i, j - i);
            i = j + 1;
        }
        break;
    }
    case F_IMPHASH: obs_add(c, "file:extensions.windows-pebinary-ext.imphash", v, n); break;
    case F_IMAGE:
    case F_FILENAME: {
        size_t bl;
        const char *b = ioc_basename(v, n, &bl);
        obs_add(c, "file:name", b, bl);
        if (cls == F_IMAGE) {
            obs_add(c, "process:image_ref.name", b, bl);
            if (b > v) obs_add(c, "file:parent_directory_ref.path", v, (size_t)(b - v - 1));
        }
        break;
    }
    case F_CMDLINE: obs_add(c, "process:command_line", v, n); break;
    case F_REG: obs_add(c, "windows-registry-key:key", v, n); break;
    case F_OBJECT:
        if (n > 10 && !strncasecmp(v, "\\REGISTRY\\", 10)) obs_add(c, "windows-registry-key:key", v, n);
        break;
    case F_MUTEX: obs_add(c, "mutex:name", v, n); break;
    default: break;
    }
}

static int ev_field(void *user, const char *name, size_t nl, const sp_value *val)
{
    ev_ctx *c = user;
    if (c->stop || val->is_null || !val->len) return c->stop;
    sp_ioc_hit hits[32];
    size_t k = sp_intel_match_field(c->in, name, nl, val->str, val->len, hits, 32);
    for (size_t i = 0; i < k; i++) {
        c->reported++;
        if (c->fn && c->fn(c->user, name, nl, val->str, val->len, &hits[i])) {
            c->stop = 1;
            return 1;
        }
    }
    if (c->want_obs) {
        int dir;
        int cls = ioc_field_class(name, nl, &dir);
        if (cls != F_NONE) obs_field(c, cls, dir, val->str, val->len);
    }
    return 0;
}

size_t sp_intel_match_event(const sp_intel *in, const sp_event *ev, sp_intel_hit_fn fn, void *user)
{
    if (!in || !in->compiled || !ev || !ev->each) return 0;
    ev_ctx c;
    c.in = in;
    c.fn = fn;
    c.user = user;
    c.reported = 0;
    c.stop = 0;
    c.nvals = 0;
    c.used = 0;
    c.want_obs = 0;
    for (size_t i = 0; i < in->npats; i++)
        if (in->pats[i].single) { c.want_obs = 1; break; }
    ev->each(ev->ev, ev_field, &c);
    if (c.stop || !c.want_obs || !c.nvals) return c.reported;
    sp_observation o = {"", ev->time_unix_ms ? ev->time_unix_ms(ev->ev) : INT64_MIN, 0, 1, c.vals, c.nvals};
    o.last_ms = o.time_ms;
    for (size_t i = 0; i < in->npats; i++) {
        const ioc_pat *p = &in->pats[i];
        if (!p->single || !sp_stix_pattern_match(p->p, &o, 1)) continue;
        const sp_ioc *io = &in->iocs[p->ioc];
        sp_ioc_hit h = {io, SP_IOC_PATTERN, 1, 0, 0};
        c.reported++;
        if (fn && fn(user, "", 0, io->value, strlen(io->value), &h)) break;
    }
    return c.reported;
}
