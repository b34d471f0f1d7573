/*
 * sigma.h — internals of the Sigma engine shared by its parts:
 *
 *   sigma_yaml.c     libyaml -> a small immutable node tree (ynode), bounded
 *   sigma_value.c    one detection value + its modifier chain -> sg_val(s)
 *   sigma_compile.c  rule documents -> sg_rule (metadata, selections, filters,
 *                    correlations), rejections with reasons
 *   sigma_cond.c     condition strings -> sg_node trees
 *   sigma_match.c    sg_node evaluation against an event's field table
 *   sigma_logsource.c  config/logsources.yml -> routing variants
 *   sigma_index.c    channel/EventID index, which rules need which literals
 *   sigma_prefilter.c  finding rule literals in text (anchor bitmaps)
 *   sigma_route.c    per-route, per-field prefilters (built per scanner)
 *   sigma_corr.c     correlation windows (per scanner)
 *   sigma_event.c    sp_event adapters (EVTX record, key/value list)
 *   sigma_api.c      the public sp_ruleset / sp_scanner functions
 *
 * Memory: everything a compiled ruleset holds lives in its arena `rs->ar`
 * (strings, nodes, values, index) except PCRE2 codes (freed through
 * rs->regexes) — a ruleset is freed in one go.  YAML trees live in a
 * per-file scratch arena that is reset after each file.  A scanner owns a
 * per-event arena, reset at every event.
 *
 * Threads: after sp_ruleset_compile nothing writes to a ruleset except its
 * route table (rs->rt, sigma_route.c), which its scanners fill on first use
 * under the table's mutex; a route, once built, is never written again.
 * Scanners keep all other mutable state (field table, epochs, PCRE2 match
 * data, correlation windows).
 */
#ifndef SP_SIGMA_H
#define SP_SIGMA_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stddef.h>

#include "spoor.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/limits.h"
#include "sigma/sigma_event.h"

/* ------------------------------------------------------------------ YAML */

enum { YN_SCALAR = 1, YN_SEQ, YN_MAP };

typedef struct ynode {
    uint8_t kind;
    uint8_t quoted;          /* scalar: quoted / block / tagged (never null/bool/int) */
    uint32_t line;           /* 1-based */
    const char *s;           /* scalar text, NUL-terminated */
    size_t len;
    struct ynode **kid;      /* SEQ: n items; MAP: 2n entries key,value */
    uint32_t n;
} ynode;

typedef struct ydocs {
    ynode **doc;
    uint32_t n;
} ydocs;

/* Parse `len` bytes of YAML (all documents) into `ar`.  Returns 0, or -1
 * with a message in `msg`. */
int sy_parse(sp_arena *ar, const char *text, size_t len, ydocs *out, char *msg, size_t msgcap);
/* map lookup by key (exact), NULL if absent or not a map */
const ynode *sy_get(const ynode *map, const char *key);
int sy_is_null(const ynode *n);      /* plain null / ~ / empty */
int sy_is_str(const ynode *n);       /* any scalar */
/* plain integer scalar (decimal, optional sign) */
int sy_int(const ynode *n, int64_t *out);
/* plain true/false (yes/no) */
int sy_bool(const ynode *n, int *out);

/* ------------------------------------------------------------- compiled */

/* pattern tokens of a wildcard value */
enum { T_LIT = 1, T_STAR, T_ONE, T_DASH };
typedef struct sg_tok {
    uint8_t kind;
    uint32_t len;            /* T_LIT */
    const char *s;
} sg_tok;

/* value kinds */
enum { VK_STR = 1, VK_RE, VK_CIDR, VK_CMP, VK_NULL, VK_EXISTS, VK_FIELDREF };
/* string match shapes */
enum { SM_EXACT = 1, SM_PREFIX, SM_SUFFIX, SM_CONTAINS, SM_ANY, SM_GLOB };
/* comparisons */
enum { CMP_LT = 1, CMP_LTE, CMP_GT, CMP_GTE, CMP_EQ };
/* timestamp parts */
enum { TP_NONE = 0, TP_MINUTE, TP_HOUR, TP_DAY, TP_WEEK, TP_MONTH, TP_YEAR };

typedef struct sg_val {
    uint8_t kind, mode, cased;
    uint8_t cmp;             /* VK_CMP */
    uint8_t exists;          /* VK_EXISTS: wanted */
    uint8_t fam, bits;       /* VK_CIDR: 4/6, prefix length */
    uint8_t is_num;          /* rule literal is a plain integer */
    uint8_t hi;              /* VK_STR: its text has a byte >= 0x80 (pure ASCII values cannot match) */
    uint32_t group;          /* alternatives of one original value share a group */
    const char *lit;         /* SM_EXACT..SM_CONTAINS literal (lowercased unless cased);
                                VK_RE: a lowercased literal every match contains, or NULL */
    uint32_t len;
    uint32_t re_idx;         /* VK_RE: its code, rs->regexes[re_idx] (and JIT state) */
    sg_tok *tok;             /* SM_GLOB */
    uint32_t ntok;
    int64_t num;
    double d;                /* VK_CMP */
    uint8_t ip[16];          /* VK_CIDR network */
    uint32_t ref_fid;        /* VK_FIELDREF */
    uint32_t lit_id;         /* prefilter literal that must occur for a VK_STR
                                value to match (UINT32_MAX: none) */
} sg_val;

#define SG_KEYWORD UINT32_MAX   /* item fid: search every value of the event */

typedef struct sg_item {
    uint32_t fid;
    uint8_t all, neq, tpart;
    uint32_t ngroups;
    sg_val *v;
    uint32_t nv;
    uint8_t needs_field;     /* no null / exists value: false when the field is absent */
    uint8_t all_hi;          /* every value is a string with a byte >= 0x80: false on
                                pure-ASCII fields (emoji, homoglyph rules) */
    uint32_t *vlit;          /* [nv] v[i].lit_id for string values that are not
                                numbers, else UINT32_MAX: values whose literal
                                is absent are skipped without touching v[i];
                                NULL when no value has a literal */
} sg_item;

enum { N_AND = 1, N_OR, N_NOT, N_ITEM, N_TRUE, N_FALSE, N_ATLEAST };
typedef struct sg_node {
    uint8_t op;
    uint32_t n;              /* children */
    uint32_t k;              /* N_ATLEAST: how many must hold */
    struct sg_node **kid;
    sg_item *item;
} sg_node;

/* one way a logsource maps onto Windows events */
typedef struct sg_lsvar {
    const char **chan;       /* lowercased Channel names (OR); none = any */
    uint32_t nchan;
    uint32_t *eid;           /* EventIDs (OR); none = any */
    uint32_t neid;
    const char **prov;       /* lowercased Provider_Name (OR); none = any */
    uint32_t nprov;
    uint32_t *ren_from, *ren_to;  /* field renames (fids) */
    uint32_t nren;
    uint32_t *m_fid;         /* extra conditions: (field, lowercased value) pairs; */
    const char **m_val;      /* consecutive pairs of one field are OR-ed, fields AND-ed */
    uint32_t nm;
} sg_lsvar;

typedef struct sg_lsent {
    const char *product, *category, *service;   /* NULL = unspecified */
    sg_lsvar var;
} sg_lsent;

/* correlation kinds */
enum { CT_EVENT_COUNT = 1, CT_VALUE_COUNT, CT_TEMPORAL, CT_TEMPORAL_ORDERED,
       CT_VALUE_SUM, CT_VALUE_AVG, CT_VALUE_PERCENTILE };

typedef struct sg_corr {
    uint8_t type;
    uint8_t generate;
    uint8_t has_cond;
    const char **refs;       /* rule references as written (id or name) */
    uint32_t nrefs;
    uint32_t *ref_rule;      /* resolved rule indexes (parallel to refs) */
    const char **group;      /* group-by field names (aliases allowed) */
    uint32_t ngroup;
    /* aliases: alias name -> per referenced rule field name */
    const char **alias;      /* nalias names */
    const char ***alias_field; /* [nalias][nrefs]: field name in events of refs[j], NULL = alias name */
    uint32_t nalias;
    const char *field;       /* value_* : condition field */
    int64_t timespan_ms;
    /* condition: all present bounds must hold */
    uint8_t has_gt, has_gte, has_lt, has_lte, has_eq, has_neq;
    double gt, gte, lt, lte, eq, neq;
} sg_corr;

enum { RK_DETECTION = 1, RK_CORRELATION };

typedef struct sg_rule {
    sp_rule_info info;       /* public metadata (strings in rs->ar) */
    uint8_t kind;
    uint8_t suppressed;      /* only referenced by correlations (generate: false) */
    uint8_t unmapped;        /* logsource not in logsources.yml */
    sg_node *cond;           /* RK_DETECTION */
    sg_node **filters;       /* filter conditions ANDed to cond */
    uint32_t nfilters;
    sg_lsvar **vars;         /* routing variants (empty when unmapped) */
    uint32_t nvars;
    uint32_t *lits;          /* prefilter: literal ids, one must occur (none = no prefilter) */
    uint32_t nlits;
    uint32_t *xlits;         /* further clauses, one literal of each must occur too: */
    uint32_t xcl_end[3];     /* clause i is xlits[xcl_end[i-1] (0 for i = 0) .. xcl_end[i]) */
    uint32_t nxcl;
    uint8_t needs_hi;        /* cannot match unless a field it reads has a byte >= 0x80 */
    sg_corr *corr;           /* RK_CORRELATION */
    uint32_t *corr_users;    /* correlations referencing this rule */
    uint32_t ncorr_users;
} sg_rule;

typedef struct sg_filter {
    const char *file, *id, *title;
    const char *product, *category, *service;
    const char **rules;      /* ids / names / titles; rules_any = "any" */
    uint32_t nrules;
    int rules_any;
    sg_node *cond;
} sg_filter;

typedef struct sg_reject {
    const char *file, *id, *title, *reason;
} sg_reject;

/* index bucket: rule/variant pairs */
typedef struct sg_cand { uint32_t rule, var; } sg_cand;
/* A candidate list, and its inverted form (built by sg_build_prefilter):
 * the candidates whose rule has no required literal (always tried), and a
 * map literal id -> candidates that require it, so an event's rules are
 * found from the literals it contains instead of by walking every candidate. */
typedef struct sg_lpost { uint32_t lit, start, count; } sg_lpost;
typedef struct sg_clist {
    sg_cand *c;
    uint32_t n, cap;
    uint32_t *nolit;         /* indexes into c */
    uint32_t nnolit;
    sg_lpost *lmap;          /* open addressing by lit; lit == UINT32_MAX empty */
    uint32_t lmap_cap;       /* power of two, 0 = not inverted */
    uint32_t *post;          /* indexes into c, grouped by literal */
    uint32_t cand_base;      /* global index of c[0] (per-event "tried" stamps) */
    uint8_t has_kw;          /* a candidate has keyword (field-less) searches */
} sg_clist;
typedef struct sg_eidlist { uint32_t eid; sg_clist l; } sg_eidlist;
typedef struct sg_chan {
    const char *name;        /* lowercased; NULL for the any-channel bucket */
    sg_eidlist *by_eid;      /* sorted by eid after build */
    uint32_t neid, cap_eid;
    sg_clist any_eid;
} sg_chan;

/* literal prefilter (sigma_prefilter.c): anchor -> literals anchored there */
#define SG_PF_SMALL 8
typedef struct sg_pfent {
    uint32_t lit;
    uint16_t off, len;       /* anchor offset in the literal, its length (capped) */
    uint32_t head;           /* its first 4 bytes (shorter literals: all of them) */
} sg_pfent;
typedef struct sg_pfslot { uint32_t key, start, count, fill; uint8_t width; } sg_pfslot;
typedef struct sg_pf {
    uint64_t *bm, *bm3;      /* anchor bitmaps (4- and 3-byte anchors) */
    uint64_t *bm2;           /* 2-byte anchors: bit = the byte pair (NULL: none) */
    uint32_t shift4, shift3; /* bit index = hash >> shift */
    int has3, has2;
    sg_pfslot *map;          /* open addressing; count == 0 empty */
    uint32_t map_cap;
    sg_pfent *ent;
    uint32_t nlit;
    uint32_t small[SG_PF_SMALL];  /* nlit <= SG_PF_SMALL: the literals, searched one by
                                     one, and no anchor tables (sigma_prefilter.c) */
} sg_pf;

/* a rule file noted for loading when a cache is used (sigma_cache.c) */
typedef struct sg_cfile { const char *path; uint64_t ino, size, mtime_ns, ctime_ns; } sg_cfile;

struct sp_ruleset {
    sp_arena ar;             /* all compiled data */
    sp_arena tmp;            /* per-file scratch (YAML trees) */
    int compiled;
    /* options */
    char *ls_path, *ph_path;
    const ynode *placeholders;   /* map name -> list (in ar) */
    /* interned field names */
    const char **fname;
    uint32_t *fname_len;
    uint32_t nfields, cap_fields;
    uint32_t *fhash;         /* open addressing: fid+1, 0 empty */
    uint32_t fhash_cap;
    /* rules */
    sg_rule *rules;
    uint32_t nrules, cap_rules;
    sg_filter *filters;
    uint32_t nfilters, cap_filters;
    sg_reject *rej;
    uint32_t nrej, cap_rej;
    pcre2_code **regexes;
    uint32_t nre, cap_re;
    /* logsources */
    sg_lsent *ls;
    uint32_t nls;
    /* index */
    sg_chan *chans;          /* hash table of channel buckets (power of two) */
    uint32_t chan_cap;
    sg_chan anychan;
    uint32_t *unmapped;      /* rules routed only by the event's logsource hint */
    uint32_t nunmapped;
    int eid_narrowed;        /* some rule is filed under its detection's event ids */
    /* prefilter */
    char **lit;              /* distinct literals */
    uint32_t *lit_len;
    uint32_t nlit, cap_lit;
    uint32_t *lhash;
    uint32_t lhash_cap;
    uint32_t *lit_anchor;    /* [nlit] each literal's anchor window (sigma_prefilter.c) */
    uint32_t *lit_aoff;      /* [nlit] and its offset in the literal */
    sg_pf pf;                /* prefilter of every literal */
    uint32_t ncands;         /* candidates over every list (sg_clist.cand_base) */
    /* field names any rule or logsource mapping refers to, normalised
     * (lower case, no spaces): only these are scanned for literals unless a
     * keyword search is among an event's candidates */
    uint32_t *scan_hash;     /* open addressing; 0 = empty */
    uint32_t scan_cap;
    uint32_t *fnh;           /* [nfields] sg_norm_hash of each interned name */
    struct sg_routes *rt;    /* routes built so far, shared by the scanners (sigma_route.c) */
    /* compiled-set cache (sigma_cache.c): with cache_dir set, add_path only
     * notes the files; compile reads the image or loads them and writes one */
    char *cache_dir;         /* NULL: no cache */
    int no_cache;            /* YAML text was added: the set cannot be cached */
    int cache_state;         /* sp_ruleset_stats.cache */
    sg_cfile *cfiles;
    uint32_t ncfiles, cap_cfiles;
    struct sg_route *img_routes; /* routes prebuilt into the image (sg_routes_prebuild) */
    uint32_t nimg_routes;
    void *image;             /* read from the cache: every array below lives in it */
    size_t image_len;
    /* stats */
    uint64_t compile_ns;
    uint32_t ncorr, nfilt_applied, nunmapped_rules;
};

/* --- compile helpers (sigma_compile.c / sigma_value.c / sigma_cond.c) --- */

/* A literal (lowercased, >= min bytes) every match of the PCRE2 pattern
 * contains, in out[cap]; its length, 0 when none can be trusted
 * (sigma_relit.c). */
size_t sg_regex_literal(const char *p, size_t n, int caseless, size_t min, char *out, size_t cap);

uint32_t sg_field_intern(sp_ruleset *rs, const char *name, size_t len);
char *sg_strdup(sp_arena *ar, const char *s, size_t n);
void sg_lower(char *s, size_t n);
static inline unsigned char sg_lc(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

typedef struct sg_cctx {        /* compiling one rule */
    sp_ruleset *rs;
    const char *file;
    uint32_t nvalues;            /* values produced so far (limit) */
    char *err;                   /* reason buffer */
    size_t errcap;
} sg_cctx;

/* Compile one detection-map entry (key with modifiers, value node) into an
 * item.  `key` NULL/empty field = keyword search.  Returns NULL with
 * c->err set on rejection. */
sg_item *sg_compile_item(sg_cctx *c, const char *key, size_t keylen, const ynode *val);

/* Detection section -> condition tree; `detection` is the map.  `condkey`
 * is "condition" for rules and filters. */
sg_node *sg_compile_detection(sg_cctx *c, const ynode *detection);

/* condition parsing: resolve names against (names, trees) */
typedef struct sg_sel { const char *name; sg_node *node; } sg_sel;
sg_node *sg_parse_condition(sg_cctx *c, const char *cond, size_t len, const sg_sel *sel, uint32_t nsel);

/* loading (sigma_compile.c) */
int sg_load_text(sp_ruleset *rs, const char *name, const char *text, size_t len);
int sg_load_path(sp_ruleset *rs, const char *path, int depth, sp_error *err);

/* load the files noted by sg_load_path in cache mode */
int sg_load_noted(sp_ruleset *rs, sp_error *err);

/* the compiled-set cache (sigma_cache.c) */
struct stat;
int sg_cache_note_file(sp_ruleset *rs, const char *path, const struct stat *st);
/* 0: rs now holds the cached compiled set of its noted files */
int sg_cache_load(sp_ruleset *rs);
int sg_cache_save(const sp_ruleset *rs);
void sg_cache_image_free(void *image, size_t len);
/* a compiled-rules file (sp_ruleset_save / sp_ruleset_load): checked against
 * this build only, not against rule files; why[whycap] on failure */
int sg_ruleset_save(const sp_ruleset *rs, const char *path);
int sg_ruleset_load(sp_ruleset *rs, const char *path, char *why, size_t whycap);
/* free the compiled arrays (or the cache image) but not the arenas */
void sg_ruleset_release(sp_ruleset *rs);

/* logsources */
extern const char sg_default_logsources[];   /* generated from config/logsources.yml */
int sg_logsources_load(sp_ruleset *rs, const char *path, sp_error *err);
int sg_logsources_load_text(sp_ruleset *rs, const char *text, size_t len, const char *name, sp_error *err);
/* Route a rule: fills r->vars / r->unmapped. */
int sg_route_rule(sp_ruleset *rs, sg_rule *r);
/* does a routing variant accept the current event (providers, match)? */
int sg_var_accepts(sp_scanner *sc, const sg_lsvar *v);

/* index + prefilter (sigma_index.c) */
int sg_build_index(sp_ruleset *rs);
int sg_build_prefilter(sp_ruleset *rs);
const sg_chan *sg_chan_find(const sp_ruleset *rs, const char *lc, size_t n);
const sg_clist *sg_eid_find(const sg_chan *c, uint32_t eid);
int sg_invert_lists(sp_ruleset *rs);
int sg_prefilter_build(sp_ruleset *rs);
void sg_prefilter_free(sp_ruleset *rs);
void sg_prefilter_scan(sp_scanner *sc, const unsigned char *t, size_t n);
/* a prefilter over some literals (anchors from sg_prefilter_build); bits
 * 0 = sized for the count */
int sg_pf_build(sg_pf *pf, const sp_ruleset *rs, const uint32_t *lits, uint32_t n, uint32_t bits4, uint32_t bits3);
void sg_pf_free(sg_pf *pf);
void sg_pf_scan(sp_scanner *sc, const sg_pf *pf, const unsigned char *t, size_t n);
/* is a field name (by its sg_norm_hash) one that rules refer to? */
int sg_scan_hash(const sp_ruleset *rs, uint32_t nh);
/* field-name hash, case folded and spaces removed (never 0) */
uint32_t sg_norm_hash(const char *s, size_t n);
/* candidates (indexes into l->c) whose rule requires literal `lit` */
const uint32_t *sg_clist_lit(const sg_clist *l, uint32_t lit, uint32_t *count);

/* ------------------------------------------------------------- scanning */

/* the per-event field table */
typedef struct sg_fval {
    const char *name;        /* the event's (valid until the match returns) */
    uint32_t name_len;
    uint32_t nh;             /* sg_norm_hash of the name */
    sp_value v;              /* the event's value (str not NUL-terminated) */
    const char *low;         /* lowercased text, NUL-terminated (scanner arena);
                                NULL until needed: sg_fv_low() */
    uint8_t scan;            /* some rule names this field: its text is scanned for literals */
    uint8_t hi;              /* the value has a byte >= 0x80 (set with low) */
    uint8_t pending;         /* value not fetched yet (sp_event.values_at) */
    uint8_t ipstate, ipfam;  /* |cidr: 0 not parsed, 1 an address (ip, family 4/6), 2 not one */
    uint8_t ip[16];
    uint32_t src;            /* the event's field position (pending entries) */
} sg_fval;

typedef struct sg_fcache {   /* per field id, valid when epoch matches */
    uint32_t epoch;
    uint32_t n;
    const sg_fval **v;
} sg_fcache;

/* a route's prefilter for one field (sigma_route.c) */
typedef struct sg_fpf { uint32_t nh; sg_pf pf; } sg_fpf;
typedef struct sg_route {
    const sg_clist *lists[4];   /* key: the candidate lists, in routing order */
    uint32_t nlists;
    uint8_t used, failed;
    uint8_t ready;           /* built (a shared route may still be building) */
    uint8_t in_image;        /* its arrays live in a cache image (not freed) */
    sg_fpf *f;               /* per field read by a candidate */
    uint32_t nf;
    uint32_t *fidx;          /* open addressing: field name hash -> index+1 into f */
    uint32_t fidx_cap;
    sg_pf any;               /* keyword literals: looked for in every field */
    int has_any;
} sg_route;

typedef struct sg_corr_state sg_corr_state;

struct sp_scanner {
    const sp_ruleset *rs;
    sp_arena ar;             /* per event */
    uint32_t epoch;
    const sp_event *ev;
    /* field table of the current event: SP_SIGMA_MAX_EVENT_FIELDS entries
     * allocated once, so entries never move while a match holds pointers
     * (a pending field's array values are appended when it is fetched) */
    sg_fval *fv;
    uint32_t nfv;
    int table_built;
    sg_fcache *fc;           /* [rs->nfields] */
    uint32_t *rule_epoch;    /* [rs->nrules] dedupe of candidates */
    uint64_t *lit_on;        /* bitset over rs->nlit: literal seen in this event
                                (a few KB: stays in L1; cleared through `hits`) */
    int hits_lost;           /* `hits` could not grow: clear lit_on in full */
    int any_hi;              /* a field lowercased in this event has a byte >= 0x80 */
    uint64_t *lit_mask;      /* [rs->nlit] fields it was seen in (bit i: fv[i],
                                bit 63: fv[63] or later); valid when lit_on is set */
    uint64_t cur_fbit;       /* bit of the field being scanned */
    uint32_t *hits;          /* literal ids seen in this event, in order */
    uint32_t nhits, cap_hits;
    uint32_t *cand_epoch;    /* [rs->ncands] candidate tried in this event */
    int scan_all;            /* this event: scan every field (keyword rules routed) */
    const sg_route *route;   /* this event's route (NULL: the all-literal prefilter) */
    struct sg_namec { const char *p; uint64_t gen; uint32_t len, nh; uint8_t scan; } namec[256];
                             /* name hash cache by address (sp_event.name_gen) */
    struct sg_tcache {       /* a name list's table entries (sp_event.names_id) */
        const void *id;
        uint64_t gen;
        uint32_t n, cap;
        struct sg_tname { const char *name; uint32_t len, nh; uint8_t scan; } *e;
    } tcache[32];
    struct sg_rref {         /* routes this scanner has used: their lists -> route */
        const sg_clist *lists[4];
        uint32_t nlists;
        const sg_route *r;   /* NULL: failed, fall back */
        uint8_t used;
    } *rref;                 /* open addressing (sigma_route.c) */
    uint32_t rref_cap, nrref;
    int lits_scanned;
    const sg_lsvar *var;     /* variant the current rule was routed by */
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    int64_t ev_ms;
    int corr_enabled;
    sp_corr_sink_fn corr_sink;   /* correlation disabled: matches go here instead */
    void *corr_sink_user;
    sg_corr_state *cs;       /* [rs->nrules] (only correlations used) */
    uint64_t nevents;
};

/* routes (sigma_route.c) */
/* the candidate lists of (channel bucket, event id), in routing order; out[4] */
uint32_t sg_route_lists(const sp_ruleset *rs, const sg_chan *c, int has_eid, uint32_t eid, const sg_clist **out);
/* the route for those lists, built by the first scanner that needs it and
 * shared with the ruleset's other scanners; NULL: fall back */
const sg_route *sg_route_get(sp_scanner *sc, const sg_clist *const *lists, uint32_t nl);
/* rs->regexes[i] JIT-compiled on first use (once, under the route table's
 * lock; a set that is never matched pays nothing) */
void sg_regex_ready(const sp_ruleset *rs, uint32_t i);
/* Build every route the index can produce (once, before an image is
 * written, so that runs from the image build none); the built ones, for
 * the image writer: out[] gets up to max, returns how many there are */
void sg_routes_prebuild(const sp_ruleset *rs);
uint32_t sg_routes_built(const sp_ruleset *rs, const sg_route **out, uint32_t max);
/* put an image's routes into the ruleset's table, ready */
void sg_routes_adopt(sp_ruleset *rs, const sg_route *r, uint32_t n);
/* the ruleset's route table (sp_ruleset_new / sp_ruleset_free) */
int sg_routes_init(sp_ruleset *rs);
void sg_routes_fini(sp_ruleset *rs);
const sg_fpf *sg_route_field(const sg_route *r, uint32_t nh);
void sg_route_scan(sp_scanner *sc, const sg_route *r);
void sg_rrefs_free(sp_scanner *sc);

static inline int sg_lit_on(const sp_scanner *sc, uint32_t l) { return (int)(sc->lit_on[l >> 6] >> (l & 63) & 1); }

/* evaluation (sigma_match.c) */
int sg_eval(sp_scanner *sc, const sg_node *n, int depth);
void sg_scanner_begin_event(sp_scanner *sc, const sp_event *ev);
int sg_build_table(sp_scanner *sc);
/* values of a field by name for the current event (after renames); returns count */
uint32_t sg_lookup(sp_scanner *sc, uint32_t fid, const sg_fval ***out);
uint32_t sg_lookup_name(sp_scanner *sc, const char *name, size_t len, const sg_fval ***out);
void sg_scan_literals(sp_scanner *sc);
/* the field's lowercased text (fetching the value and making the copy on
 * first use; NULL when out of memory) */
const char *sg_fv_low(sp_scanner *sc, sg_fval *f);

int64_t sg_event_ms(sp_scanner *sc);   /* current event's time (ms), INT64_MIN unknown */

/* correlation (sigma_corr.c) */
int sg_corr_init(sp_scanner *sc);
void sg_corr_fini(sp_scanner *sc);
int sg_corr_feed(sp_scanner *sc, uint32_t rule, sp_detect_fn fn, void *user, int depth);
int sg_corr_flush(sp_scanner *sc, sp_detect_fn fn, void *user);
uint32_t sg_corr_fields(const sp_ruleset *rs, uint32_t rule, const char **out, uint32_t max);
int sg_corr_feed_values(sp_scanner *sc, uint32_t rule, int64_t t, const char *const *f,
                        const char *const *v, size_t n, sp_detect_fn fn, void *user);

#endif
