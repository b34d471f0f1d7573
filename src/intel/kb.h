/*
 * kb.h — internals of the knowledge base (sp_kb), shared by its parts:
 *
 *   kb.c          the object store, name maps, relationship index, queries
 *   kb_file.c     reading input (plain, gzip, zstd), spoor's KB file format,
 *                 the default intel folder
 *   kb_stix.c     STIX 2.0 / 2.1 ATT&CK bundles (jansson)
 *   kb_profile.c  actor profiles (YAML, through the Sigma engine's ynode tree)
 *
 * Loading appends objects (kb_add_obj), reports (kb_add_report) and
 * relationships (kb_add_rel); kb_build then derives everything queries read:
 * revoked_by / parent / tactics of every object and one sorted array of
 * links (both directions of every relationship, duplicates merged) with
 * per-object offsets.  Strings live in the kb's arena.
 */
#ifndef SP_KB_H
#define SP_KB_H

#include <stddef.h>
#include <stdint.h>

#include "spoor.h"
#include "base/arena.h"
#include "base/limits.h"

enum { KB_R_USES = 0, KB_R_ATTRIBUTED_TO, KB_R_SUBTECHNIQUE_OF, KB_R_REVOKED_BY, KB_R__N };
#define KB_NONE UINT32_MAX
#define KB_NSLOT (SP_KB__RELS * SP_KB__KINDS)

typedef struct kb_rel {
    uint8_t type;               /* KB_R_* */
    uint8_t skind, tkind;
    uint8_t from_profile;
    uint32_t s, t;
    uint32_t rep_off, nrep;     /* in kb->rep_pool */
} kb_rel;

/* open-addressing map: (kind, key folded to ASCII lower case) -> index */
typedef struct kb_ment { const char *key; uint32_t hash, idx; uint8_t kind; } kb_ment;
typedef struct kb_map { kb_ment *e; size_t n, cap; } kb_map;

typedef struct kb_objs {
    sp_kb_object *v;
    size_t n, cap;
} kb_objs;

struct sp_kb {
    sp_arena ar;
    kb_objs k[SP_KB__KINDS];
    const char **tactic_raw;    /* per technique: "a,b" tactic shortnames (resolved by kb_build) */
    size_t tactic_raw_cap;
    kb_rel *rels;
    size_t nrels, cap_rels;
    uint32_t *rep_pool;
    size_t nrep_pool, cap_rep_pool;
    sp_kb_report *reports;
    size_t nreports, cap_reports;
    kb_map names;               /* id, name, aliases of every object */
    kb_map report_keys;         /* url (or "name:" source) -> report */
    /* derived by kb_build */
    sp_kb_link *links;
    size_t nlinks;
    uint32_t *link_rep;         /* merged report lists of links */
    uint32_t *off[SP_KB__KINDS];    /* n * KB_NSLOT + 1 offsets into links */
    uint32_t *tactic_pool;
    /* profiles */
    sp_kb_profile **profiles;
    size_t nprofiles, cap_profiles;
    sp_kb_rejection *rej;
    size_t nrej, cap_rej;
    /* ATT&CK source */
    int attack_loaded;
    sp_kb_stats st;             /* counts filled at load; the rest by sp_kb_get_stats */
};

char *kb_strdup(sp_kb *kb, const char *s, size_t n);
/* Add an object; returns its index or KB_NONE (memory, limits: msg set).
 * `aliases` are copied; duplicates of the name or of each other dropped. */
uint32_t kb_add_obj(sp_kb *kb, sp_kb_kind kind, const char *id, const char *name,
                    const char *const *aliases, size_t naliases, int revoked, int deprecated);
/* Add aliases to an existing object (profiles) */
int kb_add_aliases(sp_kb *kb, sp_kb_kind kind, uint32_t i, const char *const *aliases, size_t n);
/* exact lookup (id / name / alias, case-insensitive), no revoked-by following */
uint32_t kb_find(const sp_kb *kb, sp_kb_kind kind, const char *key, size_t len);
int kb_set_tactics(sp_kb *kb, uint32_t technique, const char *raw, size_t len);
/* Report key for (source, url); deduplicated by url, else by source. */
uint32_t kb_add_report(sp_kb *kb, const char *source, size_t slen, const char *url, size_t ulen, int from_profile);
/* Append a relationship; reports are copied. */
int kb_add_rel(sp_kb *kb, int type, sp_kb_kind sk, uint32_t s, sp_kb_kind tk, uint32_t t,
               const uint32_t *reps, size_t nrep, int from_profile);
/* Whether a relationship of `type` may join these kinds (uses: group/campaign/
 * software -> technique, group/campaign -> software; attributed-to: campaign ->
 * group; subtechnique-of: technique -> technique; revoked-by: same kind). */
int kb_rel_ok(int type, sp_kb_kind sk, sp_kb_kind tk);
double kb_now_ms(void);
/* Count an ATT&CK relationship in the stats. */
void kb_count_rel(sp_kb *kb, int type, sp_kb_kind sk, sp_kb_kind tk);
/* Derive the indexes (after every load); -1 on memory. */
int kb_build(sp_kb *kb);
/* Forget everything (a failed ATT&CK load). */
void kb_clear(sp_kb *kb);

/* kb_file.c: whole input, decompressed (gzip / zstd by magic), NUL-terminated;
 * 0 or -1 with err filled. */
int kb_read_input(const char *path, const void *mem, size_t memlen, char **out, size_t *outlen, sp_error *err);
int kb_load_kbfile(sp_kb *kb, char *text, size_t len, const char *name, sp_error *err);
/* kb_stix.c */
int kb_load_stix(sp_kb *kb, const char *text, size_t len, const char *name, const char *path, sp_error *err);

void kb_err(sp_error *err, const char *file, uint64_t off, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
