/*
 * ioc_int.h — internals of the IOC store (sp_intel), its loaders and the
 * STIX pattern engine.  Files: ioc_util.c (parsing and normalising values),
 * ioc_store.c (collection, compile, indexes, lookups), ioc_match.c (event
 * fields), ioc_csv.c / ioc_misp.c / ioc_stix.c (loaders), ioc_load.c (files,
 * folders, format detection), stix_pattern.c, geo.c.
 *
 * Index design (built once by sp_intel_compile, then read-only):
 *  - IPv4/IPv6 prefixes are flattened into sorted "change points" (start
 *    address -> most specific covering prefix node); each node links to its
 *    parent prefix, so a lookup is one binary search (IPv4: inside a bucket
 *    of a 65536-entry table on the top 16 bits) and a short chain walk that
 *    reports every covering CIDR, most specific first.
 *  - Exact keys (digests in binary, lower-cased domains, URLs, file names,
 *    paths, registry keys, pipes, mutexes) live in one open-addressing hash
 *    table of (32-bit tag, blob offset) slots; a blob holds the key and its
 *    postings (inline when there is one).  Domains are looked up once per
 *    label suffix; registry keys once per parent key.
 *  - Globs (file names, paths, pipes, registry keys with * ?) are scanned
 *    linearly; STIX patterns that are not a plain equality on an indexable
 *    path are kept compiled and evaluated per event.
 */
#ifndef SP_IOC_INT_H
#define SP_IOC_INT_H

#include <stddef.h>
#include <stdint.h>
#include "spoor.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/limits.h"

/* ---------------------------------------------------------------- values */

typedef struct ioc_ip {
    uint8_t v6;          /* 0: IPv4 in b[12..15] (and v4) */
    uint8_t prefix;      /* 0..32 / 0..128 */
    uint32_t v4;         /* host order, IPv4 only */
    uint8_t b[16];       /* network order; IPv4 as ::ffff:a.b.c.d */
} ioc_ip;

/* Parse an address or CIDR.  `lenient` strips what event fields carry
 * around addresses: [brackets], :port, %zone, ::ffff: (-> IPv4), a trailing
 * dot.  A CIDR is accepted only when `cidr`; host bits are cleared.
 * Returns 0 on success. */
int ioc_parse_ip(const char *s, size_t n, int cidr, int lenient, ioc_ip *out);
/* Canonical text ("175.45.176.0/22", "2001:db8::1"); returns length. */
size_t ioc_ip_str(const ioc_ip *ip, char *buf, size_t cap);

/* Hex digest -> bytes; returns the byte count (16/20/32) or 0. */
size_t ioc_hex_digest(const char *s, size_t n, uint8_t *out, size_t cap);

/* Refang a defanged value ("hxxp://", "1.2.3[.]4", "evil(.)com", "[:]")
 * into `out` (cap >= n + 8).  Returns the new length. */
size_t ioc_refang(const char *s, size_t n, char *out, size_t cap);

/* Lower-case ASCII copy; returns n or 0 when it does not fit. */
size_t ioc_lower(const char *s, size_t n, char *out, size_t cap);

/* Normalisers: write the lookup key of a value into out, return its length
 * (0 = not valid for the type / does not fit). */
size_t ioc_norm_domain(const char *s, size_t n, char *out, size_t cap);
size_t ioc_norm_url(const char *s, size_t n, char *out, size_t cap);
/* Paths: lower case, "\??\", "\\?\", "\Device\HarddiskVolumeN" and a drive
 * letter removed; %VAR% becomes * (sets *glob). */
size_t ioc_norm_path(const char *s, size_t n, char *out, size_t cap, int *glob);
/* Registry: hive names unified (HKLM, HKU, HKCU, HKCR, HKCC; \REGISTRY\MACHINE
 * -> HKLM, \REGISTRY\USER -> HKU), lower case, no trailing backslash. */
size_t ioc_norm_regkey(const char *s, size_t n, char *out, size_t cap);
/* Pipes: "\\.\pipe\", "\Device\NamedPipe\", leading "\" removed, lower
 * case; printf conversions (%X, %IX, %d, %s, ...) become * (sets *glob). */
size_t ioc_norm_pipe(const char *s, size_t n, char *out, size_t cap, int *glob);

/* Case-insensitive glob (* ?) with a step bound; 1 match, 0 not. */
int ioc_glob_match(const char *pat, size_t pn, const char *s, size_t sn);
/* Whether s contains * or ?. */
int ioc_has_glob(const char *s, size_t n);
/* Base name of a path (after the last / or \). */
const char *ioc_basename(const char *s, size_t n, size_t *blen);

uint64_t ioc_hash(const void *p, size_t n, uint64_t seed);

/* Parse "Name - G0032", "Name (G0032)", "G0032" into name and ATT&CK id.
 * Writes NUL-terminated strings into the caller's buffers. */
void ioc_split_attack_id(const char *s, size_t n, char *name, size_t ncap, char *id, size_t icap);

/* ------------------------------------------------------------------ store */

/* key kinds of the hash table */
enum {
    K_MD5 = 1, K_SHA1, K_SHA256, K_IMPHASH, K_DOMAIN, K_URL, K_FNAME, K_FPATH,
    K_REG, K_MUTEX, K_PIPE, K__COUNT
};
#define POST_SUB 0x80000000u   /* posting flag: a domain that also matches subdomains */

typedef struct ioc_key {       /* collected during loading */
    uint32_t off;              /* into keypool */
    uint16_t len;
    uint8_t kind;
    uint8_t pad;
    uint32_t post;             /* ioc index | POST_SUB */
} ioc_key;

typedef struct ioc_pfx {       /* an IP prefix, collected */
    uint8_t b[16];
    uint8_t v6, prefix;
    uint32_t ioc;
} ioc_pfx;

typedef struct ioc_glob {
    const char *pat;           /* normalised glob */
    uint32_t len;
    uint8_t kind;              /* K_FNAME, K_FPATH, K_PIPE, K_REG */
    uint32_t ioc;
} ioc_glob;

typedef struct ioc_pat {
    sp_stix_pattern *p;
    uint32_t ioc;
    int single;
} ioc_pat;

typedef struct ioc_node {      /* a distinct prefix in the flattened IP index */
    uint32_t parent;           /* UINT32_MAX: none */
    uint32_t post_off, post_n; /* into ip_post; post_n == 1: post_off is the indicator itself */
    uint8_t prefix;
} ioc_node;

typedef struct ioc_cp4 { uint32_t start, node; } ioc_cp4;
#define CP_LEAF 0x80000000u    /* ioc_cp4.node: a single exact /32 indicator, index in the low bits */

/* Large read-only index arrays: 2 MiB aligned and advised as huge pages
 * (fewer TLB misses on random lookups); released with free(). */
void *ioc_big_alloc(size_t n, int zero);

typedef struct ioc_src {
    sp_intel_source pub;
} ioc_src;

typedef struct ioc_issue {
    uint32_t src;
    const char *where, *reason;
    int unsupported;
} ioc_issue;

typedef struct ioc_u128 { uint64_t hi, lo; } ioc_u128;

struct sp_intel {
    sp_intel_opts opts;
    sp_arena arena;            /* strings, labels, links */
    int compiled;
    sp_ioc *iocs;
    size_t niocs, ciocs;
    /* collected */
    char *keypool;
    size_t kplen, kpcap;
    ioc_key *keys;
    size_t nkeys, ckeys;
    ioc_pfx *pfx;
    size_t npfx, cpfx;
    ioc_glob *globs;
    size_t nglobs, cglobs;
    ioc_pat *pats;
    size_t npats, cpats;
    sp_observation *obs;
    size_t nobs, cobs;
    ioc_src *srcs;
    size_t nsrcs, csrcs;
    ioc_issue *issues;
    size_t nissues, cissues, issues_total;
    /* hash index */
    uint64_t *slots;           /* (tag << 32) | (blob offset + 1); 0 = empty */
    size_t nslots;             /* power of two */
    uint32_t *blobs;           /* [n, first_or_off, kind|len<<8, key bytes (padded)] */
    size_t nblobs_words;
    uint32_t *posts;           /* postings of keys with several indicators */
    size_t nposts;
    /* IPv4 index */
    ioc_cp4 *cp4;              /* change points: start address, node (one cache line holds both) */
    size_t ncp4;
    uint32_t *idx16;           /* 65537 entries */
    /* IPv6 index */
    ioc_u128 *cp6_start;
    uint32_t *cp6_node;
    size_t ncp6;
    ioc_node *nodes;
    size_t nnodes;
    uint32_t *ip_post;
    size_t nip_post;
    /* which glob kinds exist (skip scans); keys per kind (skip lookups) */
    unsigned glob_kinds;
    size_t kind_n[K__COUNT];
    double load_ms, compile_ms;
    /* interned strings: last source / link set reused by loaders */
};

/* Loaders' entry points (ioc_csv.c, ioc_misp.c, ioc_stix.c). */
sp_status ioc_load_csv(sp_intel *in, uint32_t src, const char *data, size_t len);
/* The JSON loaders take a parsed jansson root (json_t *, as void *). */
sp_status ioc_load_misp(sp_intel *in, uint32_t src, const void *root);
sp_status ioc_load_misp_manifest(sp_intel *in, uint32_t src, const void *root, const char *dir);
sp_status ioc_load_stix(sp_intel *in, uint32_t src, const void *root);

/* Store helpers for the loaders. */
uint32_t ioc_src_new(sp_intel *in, const char *path, const char *format);
void ioc_issue_add(sp_intel *in, uint32_t src, const char *where, size_t wlen, const char *reason, int unsupported);
const char *ioc_strdup(sp_intel *in, const char *s, size_t n);
/* Add one value with metadata; the store copies strings it does not already
 * own (meta strings and link arrays are taken as they are: the loaders give
 * arena copies).  Returns SP_OK, SP_ERR_FORMAT (invalid value; *why set),
 * SP_ERR_NOMEM or SP_ERR_LIMIT. */
sp_status ioc_add_value(sp_intel *in, sp_ioc_type type, const char *v, size_t n,
                        const sp_ioc_meta *meta, const char **why);
/* Add a compiled pattern indicator (takes ownership of p). */
sp_status ioc_add_pattern(sp_intel *in, sp_stix_pattern *p, const char *text, size_t n,
                          const sp_ioc_meta *meta);
sp_status ioc_add_observation(sp_intel *in, const sp_observation *o);

/* STIX pattern internals used by the loader: decompose a pattern into
 * indexable (type, value) pairs when it is an OR of equalities / IN sets /
 * ISSUBSET CIDRs on indexable paths without qualifiers.  Calls fn for each;
 * returns 1 when decomposed, 0 when the pattern must be evaluated. */
typedef int (*stix_simple_fn)(void *user, sp_ioc_type t, const char *v, size_t n);
int stix_pattern_simple(const sp_stix_pattern *p, stix_simple_fn fn, void *user);
/* The first object path of the pattern spoor never observes (NULL if all are
 * observable): such patterns are reported as unsupported. */
const char *stix_pattern_unobservable(const sp_stix_pattern *p);

/* Field classification (ioc_match.c), shared with the event observation map. */
enum { F_NONE = 0, F_IP, F_HOST, F_URL, F_HASHES, F_IMPHASH, F_IMAGE, F_FILENAME,
       F_CMDLINE, F_REG, F_OBJECT, F_PIPE, F_MUTEX, F_PORT };
int ioc_field_class(const char *field, size_t flen, int *dir);

int64_t ioc_now_ms(void);

#endif
