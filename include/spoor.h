/*
 * spoor.h — the public interface of libspoor, spoor's threat-hunting engine.
 *
 * One header, opaque types, every symbol prefixed `sp_`.
 *
 * Conventions
 *  - Functions return an sp_status (SP_OK == 0, negative on error).  Where a
 *    call can fail for a reason worth telling a person, it fills an sp_error
 *    supplied by the caller: the file, the byte offset and a message.  The
 *    library never prints.
 *  - Ownership: an object returned through an `**out` argument belongs to the
 *    caller and is released with the matching sp_*_free / sp_*_close.  Pointers
 *    handed to a callback (records, strings) are borrowed: valid only for the
 *    duration of the callback.
 *  - Threads: an sp_evtx may be scanned by several worker threads at once
 *    (sp_evtx_scan does this itself); a record is only ever touched by the
 *    worker that parsed it.
 */
#ifndef SPOOR_H
#define SPOOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SP_VERSION "0.1.0"

/* ---------------------------------------------------------------- status */

typedef enum sp_status {
    SP_OK = 0,
    SP_ERR_IO = -1,       /* open/read failed (errno in sp_error.sys_errno) */
    SP_ERR_FORMAT = -2,   /* not the expected format at all */
    SP_ERR_NOMEM = -3,
    SP_ERR_LIMIT = -4,    /* a bound in limits.h was hit */
    SP_ERR_ARG = -5,      /* caller error */
    SP_ERR_ABORT = -6     /* a callback asked to stop */
} sp_status;

typedef struct sp_error {
    char file[512];       /* the input concerned, "" if none */
    uint64_t offset;      /* byte offset in that input, UINT64_MAX if none */
    int sys_errno;
    char msg[512];
} sp_error;

const char *sp_status_str(sp_status s);

/* ------------------------------------------------------------ byte buffer */

/* A growable byte buffer (owned; sp_buf_free releases it). */
typedef struct sp_buf sp_buf;
sp_buf *sp_buf_new(void);
void sp_buf_free(sp_buf *b);
void sp_buf_reset(sp_buf *b);
const char *sp_buf_data(const sp_buf *b);
size_t sp_buf_len(const sp_buf *b);
int sp_buf_append(sp_buf *b, const void *p, size_t n);

/* ------------------------------------------------------------ diagnostics */

/* Kinds of damage a reader can meet.  Each is reported once per place
 * (file + offset) through the diagnostic callback and counted in the stats. */
typedef enum sp_damage {
    SP_DMG_FILE_HEADER_MAGIC = 0, /* not "ElfFile\0": chunks are still sought */
    SP_DMG_FILE_HEADER_CRC,       /* header checksum mismatch */
    SP_DMG_CHUNK_COUNT,           /* more (or fewer) chunks than the header says */
    SP_DMG_CHUNK_MAGIC,           /* a 64 KiB block that is neither a chunk nor zeros */
    SP_DMG_CHUNK_HEADER_CRC,
    SP_DMG_CHUNK_DATA_CRC,
    SP_DMG_CHUNK_TRUNCATED,       /* file ends inside a chunk */
    SP_DMG_RECORD_HEADER,         /* bad record magic/size inside the used area */
    SP_DMG_RECORD_BINXML,         /* record body could not be decoded */
    SP_DMG__COUNT
} sp_damage;

const char *sp_damage_name(sp_damage d);

typedef void (*sp_diag_fn)(void *user, const char *file, uint64_t offset,
                           sp_damage kind, const char *msg);

/* ------------------------------------------------------------------- EVTX */

typedef struct sp_evtx sp_evtx;      /* an open EVTX file */
typedef struct sp_record sp_record;  /* one decoded record (borrowed) */

typedef struct sp_evtx_stats {
    uint64_t file_size;
    uint32_t header_chunks;      /* chunk count the file header claims */
    uint32_t chunks_seen;        /* 64 KiB blocks after the header */
    uint32_t chunks_ok;          /* valid chunk magic */
    uint32_t chunks_zero;        /* zero-filled, skipped */
    uint32_t chunks_bad;         /* neither: carved only with recover */
    uint64_t records;            /* records decoded from allocated space */
    uint64_t records_failed;     /* records found but not decodable */
    uint64_t records_recovered;  /* carved records kept (recover mode) */
    uint64_t records_dup_dropped;/* carved records whose id was allocated */
    uint64_t damage[SP_DMG__COUNT];
    uint64_t first_id, last_id;  /* record-id range seen (0,0 if none) */
    uint64_t first_time, last_time; /* FILETIME range seen */
    uint16_t major, minor;       /* format version from the header */
    uint32_t header_flags;       /* 1 dirty, 2 full */
} sp_evtx_stats;

typedef struct sp_evtx_opts {
    unsigned threads;   /* worker threads; 0 = number of online CPUs */
    int recover;        /* carve records from slack and unallocated space */
    sp_diag_fn diag;    /* damage reports (may be NULL) */
    void *diag_user;
} sp_evtx_opts;

sp_status sp_evtx_open(const char *path, const sp_evtx_opts *opts,
                       sp_evtx **out, sp_error *err);
/* The same over bytes in memory (borrowed: must outlive the sp_evtx);
 * `name` is used in messages. */
sp_status sp_evtx_open_mem(const void *data, size_t len, const char *name,
                           const sp_evtx_opts *opts, sp_evtx **out, sp_error *err);
void sp_evtx_close(sp_evtx *f);
const char *sp_evtx_path(const sp_evtx *f);
/* Statistics so far (complete once sp_evtx_scan has returned). */
void sp_evtx_get_stats(const sp_evtx *f, sp_evtx_stats *out);
/* Scans keep their worker threads (waiting, for the next scan; blocking
 * every signal) and a few workers' memory (chunk buffers, output windows; a
 * few MB at most) in the process; this ends the threads and gives back what
 * is kept.  Safe at any time: it waits for threads busy with a running scan
 * (and for another call ending them), a scan starting meanwhile runs on its
 * calling thread alone, and called from a scan's callback it only gives
 * memory back (the threads are that scan's). */
void sp_evtx_release_memory(void);

/* Called on a worker thread for every record, in file order within a
 * chunk.  `out` is the chunk's output buffer: whatever the callback appends
 * is handed to the flush callback.  Return non-zero to stop the scan. */
typedef int (*sp_record_fn)(void *user, unsigned worker, const sp_record *rec,
                            sp_buf *out);
/* Called once per chunk (also when its output is empty), strictly in file
 * order and never concurrently, with that chunk's output; it runs on one of
 * the worker threads (the calling thread is one of them).  Return non-zero
 * to stop the scan. */
typedef int (*sp_flush_fn)(void *user, const sp_buf *out);

/* Decode every record, in parallel by chunk (opts.threads workers, the
 * calling thread included; the others are threads the library keeps for
 * later scans, see sp_evtx_release_memory).  Damage reports reach opts.diag
 * in file order, from the thread that flushes the chunk.  Returns SP_OK,
 * SP_ERR_ABORT when a callback stopped it, or an I/O error. */
sp_status sp_evtx_scan(sp_evtx *f, sp_record_fn on_record, sp_flush_fn on_flush,
                       void *user, sp_error *err);

/* ----------------------------------------------------------------- record */

uint64_t sp_record_id(const sp_record *r);
uint64_t sp_record_filetime(const sp_record *r);  /* record header time */
uint64_t sp_record_offset(const sp_record *r);    /* byte offset in the file */
int sp_record_recovered(const sp_record *r);      /* carved, not allocated */

/* Render the record.  JSON is the shape of the evtx crate's evtx_dump
 * (`{"Event":{"#attributes":…,"System":…,"EventData":…}}`), one line; XML is
 * the event's XML.  Appends to `out`. */
sp_status sp_record_json(const sp_record *r, sp_buf *out);
sp_status sp_record_xml(const sp_record *r, sp_buf *out);

/* A field value as text.  Typed numbers also come as integers. */
typedef struct sp_value {
    const char *str;   /* UTF-8, not NUL-terminated; valid during the callback */
    size_t len;
    int is_int;        /* 1 when the source value is an integer type */
    int64_t i;
    int is_null;       /* present but empty / NULL */
} sp_value;

/* Look a field up by name without rendering the record: System fields by
 * their element name ("EventID", "Channel", "Computer", "Provider_Name",
 * "TimeCreated_SystemTime", "Security_UserID", "Execution_ProcessID", …)
 * and EventData/UserData values by their Data Name (or element name).
 * Returns the number of values found (0 = absent) and fills up to `max` of
 * them, in record order (a field with an array value has several, and so
 * does a name used twice: System's EventID and a UserData EventID). */
size_t sp_record_field(const sp_record *r, const char *name, size_t name_len,
                       sp_value *vals, size_t max);

/* Visit every named value of the record (System and data fields).  Stops
 * when the callback returns non-zero. */
typedef int (*sp_field_fn)(void *user, const char *name, size_t name_len,
                           const sp_value *v);
void sp_record_fields(const sp_record *r, sp_field_fn fn, void *user);

/* The same fields by position (0 .. count-1, the order sp_record_fields
 * visits them): a name costs nothing, a field's text is rendered only when
 * its values are asked for.  Names and values are valid as long as the
 * record; values_at returns the number of values (arrays have several; an
 * empty field has one, is_null) and fills up to `max`. */
size_t sp_record_field_count(const sp_record *r);
const char *sp_record_field_name(const sp_record *r, size_t i, size_t *len);
size_t sp_record_field_values(const sp_record *r, size_t i, sp_value *vals, size_t max);
/* Records with the same non-zero value hand out field names that keep their
 * address and text for all of them (one per EVTX chunk): a name's derived
 * data may be cached by address meanwhile. */
uint64_t sp_record_names_gen(const sp_record *r);
/* Records with the same names_gen and the same non-NULL value here have the
 * same field names at the same positions (one EVTX template's instances). */
const void *sp_record_names_id(const sp_record *r);

/* Convenience accessors of the common System fields. */
uint32_t sp_record_event_id(const sp_record *r);

/* Format a FILETIME as ISO 8601 UTC with microseconds ("…T…Z"); returns the
 * length written (buffer of at least 32 bytes). */
size_t sp_filetime_iso(uint64_t ft, char *buf, size_t cap);

/* ------------------------------------------------------------ ---- Sigma ---- */
/*
 * Sigma rules (https://github.com/SigmaHQ/sigma-specification, v2.1.0).
 *
 *   sp_ruleset  rules loaded from YAML, then compiled once into an immutable
 *               set that any number of threads may share.
 *   sp_scanner  one per thread: the mutable state of matching (per-event
 *               scratch, regex match data, correlation windows).
 *
 * Life cycle:  sp_ruleset_new -> sp_ruleset_add_path / _add_yaml (any number)
 *              -> sp_ruleset_compile -> sp_scanner_new (per thread)
 *              -> sp_scanner_match_record / _match_event ... -> sp_scanner_flush
 *              -> sp_scanner_free -> sp_ruleset_free.
 *
 * Every document either becomes a rule or is rejected with a reason naming
 * the file, the rule id and the construct (sp_ruleset_rejection); rejections
 * are not errors of the add_* calls, which fail only on I/O or limits.
 *
 * Windows event log records are routed to rules by Channel / Provider_Name /
 * EventID through a logsource map (config/logsources.yml, replaceable), which
 * may also rename fields (Security 4688: Image -> NewProcessName, ...).
 *
 * Correlation rules keep sliding windows in the scanner: feed one scanner
 * events in time order (e.g. on the flush thread) for them to be meaningful.
 */
typedef struct sp_ruleset sp_ruleset;
typedef struct sp_scanner sp_scanner;
/* An event accessor (function pointers over any event format); defined in
 * src/sigma/sigma_event.h for in-library producers (EVTX, JSON). */
typedef struct sp_event sp_event;

typedef struct sp_sigma_opts {
    const char *logsource_config;   /* logsources.yml; NULL = built-in copy of
                                       config/logsources.yml */
    const char *placeholder_config; /* YAML map name -> list of values for
                                       |expand; NULL = such rules are rejected */
    const char *cache_dir;          /* compiled rule sets are kept here between
                                       runs (created 0700 if missing); NULL or
                                       "" = always compile from the YAML */
} sp_sigma_opts;

/* sp_ruleset_stats.cache: what the compiled-set cache did */
enum { SP_RULE_CACHE_OFF = 0,       /* no cache folder, or YAML text added */
       SP_RULE_CACHE_READ = 1,      /* the set was read from the cache */
       SP_RULE_CACHE_WRITTEN = 2,   /* compiled from the YAML and written */
       SP_RULE_CACHE_UNWRITTEN = 3, /* compiled; the cache could not be written */
       SP_RULE_CACHE_FILE = 4       /* read from a compiled-rules file (sp_ruleset_load) */ };

typedef enum sp_rule_kind { SP_RULE_DETECTION = 1, SP_RULE_CORRELATION = 2 } sp_rule_kind;

/* A rule's metadata.  Strings are NUL-terminated, "" when absent; owned by
 * the ruleset and valid until sp_ruleset_free. */
typedef struct sp_rule_info {
    sp_rule_kind kind;
    const char *file;
    const char *id, *name, *title, *description;
    const char *level, *status, *author, *date, *modified;
    const char *product, *category, *service;   /* logsource */
    const char *corr_type;                      /* correlations: "event_count", ... */
    const char *const *tags;                    /* e.g. "attack.t1059.001", "attack.s0567" */
    size_t ntags;
    const char *const *references;
    size_t nreferences;
    const char *const *falsepositives;
    size_t nfalsepositives;
} sp_rule_info;

typedef struct sp_rule_rejection {
    const char *file, *id, *title;   /* "" when unknown */
    const char *reason;              /* names the construct */
} sp_rule_rejection;

typedef struct sp_ruleset_stats {
    size_t loaded;          /* detection + correlation rules compiled */
    size_t rejected;
    size_t correlations;
    size_t filters;         /* filter documents loaded */
    size_t unmapped;        /* rules whose logsource has no entry in the map:
                               matched only against events carrying that logsource */
    size_t literals;        /* distinct prefilter literals */
    double compile_ms;      /* time spent parsing and compiling (or reading the cache) */
    int cache;              /* SP_RULE_CACHE_* */
} sp_ruleset_stats;

sp_status sp_ruleset_new(const sp_sigma_opts *opts, sp_ruleset **out, sp_error *err);
/* Load a rule file, or every *.yml / *.yaml below a folder (recursively, in
 * name order).  Multi-document files may mix rules, correlations, filters. */
sp_status sp_ruleset_add_path(sp_ruleset *rs, const char *path, sp_error *err);
/* Load YAML text; `name` is used as the file name in rejections. */
sp_status sp_ruleset_add_yaml(sp_ruleset *rs, const char *name, const char *text,
                              size_t len, sp_error *err);
/* Resolve correlations and filters, build the routing index and prefilter.
 * After this the ruleset is immutable; add_* fail with SP_ERR_ARG. */
sp_status sp_ruleset_compile(sp_ruleset *rs, sp_error *err);
void sp_ruleset_free(sp_ruleset *rs);

/* Compiled-rules files ("compile once, scan many", as YARA's yarac): a
 * compiled ruleset written to `path` (through a temporary file and rename)
 * is read back by sp_ruleset_load without parsing or compiling any YAML,
 * ready for scanners.  A file is valid for the build of spoor that wrote it
 * (SP_ERR_FORMAT otherwise, or when it is damaged: it carries a CRC-64);
 * it is not checked against the rule files it was made from.  It is as
 * trusted as the rule files themselves: not a boundary against a hostile
 * writer.  With opts->cache_dir set, a file whose CRC-64 checked out once is
 * remembered there by its identity (device, inode, size, modification and
 * change times, CRC): the same file, unchanged, loads again without reading
 * all of it.  opts may be NULL (always checked; the other options are
 * ignored: the file brings the logsource map it was compiled with). */
sp_status sp_ruleset_save(const sp_ruleset *rs, const char *path, sp_error *err);
sp_status sp_ruleset_load(const char *path, const sp_sigma_opts *opts, sp_ruleset **out, sp_error *err);

void sp_ruleset_get_stats(const sp_ruleset *rs, sp_ruleset_stats *out);
size_t sp_ruleset_count(const sp_ruleset *rs);
const sp_rule_info *sp_ruleset_rule(const sp_ruleset *rs, size_t i);
size_t sp_ruleset_rejection_count(const sp_ruleset *rs);
int sp_ruleset_rejection(const sp_ruleset *rs, size_t i, sp_rule_rejection *out);

/* One detection.  Borrowed: valid during the callback. */
typedef struct sp_detection {
    const sp_rule_info *rule;
    size_t rule_index;          /* for sp_ruleset_rule */
    int64_t time_ms;            /* event time (ms since 1970), INT64_MIN unknown;
                                   correlation: time of the closing event */
    /* correlations only */
    int64_t first_ms;           /* first event of the window */
    uint64_t count;             /* events / distinct values / rules seen */
    double value;               /* value_sum / value_avg / value_percentile result */
    const char *const *group_fields;   /* group-by names and values */
    const char *const *group_values;
    size_t ngroup;
} sp_detection;
/* Return non-zero to stop matching the current event. */
typedef int (*sp_detect_fn)(void *user, const sp_detection *d);

sp_status sp_scanner_new(const sp_ruleset *rs, sp_scanner **out);
void sp_scanner_free(sp_scanner *sc);
/* Enable (default) or disable correlation state in this scanner. */
void sp_scanner_set_correlation(sp_scanner *sc, int on);

/* Two-stage correlation, for parallel matching: worker scanners run with
 * correlation disabled and a sink, which receives every match of a rule that
 * correlations use, with the fields they will read (strings valid during the
 * call).  Later, one scanner is fed those matches in time order with
 * sp_scanner_corr_feed, which evaluates the correlations.  Return non-zero
 * from the sink to stop matching the current event. */
typedef int (*sp_corr_sink_fn)(void *user, size_t rule, int64_t time_ms,
                               const char *const *fields, const char *const *values, size_t n);
void sp_scanner_set_corr_sink(sp_scanner *sc, sp_corr_sink_fn fn, void *user);
sp_status sp_scanner_corr_feed(sp_scanner *sc, size_t rule, int64_t time_ms,
                               const char *const *fields, const char *const *values, size_t n,
                               sp_detect_fn fn, void *user);
/* Match one event against every candidate rule; detections (and any
 * correlation that completes) go to `fn`.  Returns SP_OK or SP_ERR_ABORT. */
sp_status sp_scanner_match_record(sp_scanner *sc, const sp_record *rec,
                                  sp_detect_fn fn, void *user);
sp_status sp_scanner_match_event(sp_scanner *sc, const sp_event *ev,
                                 sp_detect_fn fn, void *user);
/* End of input: evaluate correlations whose condition is an upper bound
 * (lt/lte) over the windows still open. */
sp_status sp_scanner_flush(sp_scanner *sc, sp_detect_fn fn, void *user);


/* ------------------------------------------------------------- ---- Hunt ---- */
/*
 * A hunt: Sigma rules over evidence files and folders.  Inputs are walked
 * recursively and recognised by content (EVTX; JSON lines in evtx_dump,
 * Winlogbeat/ECS or flat NXLog shape).  Every input record is accounted for:
 * parsed, skipped with a reason, recovered, or counted as an error.
 * Detections are kept and sorted by time, then source, then record (within
 * one event: Sigma rules in ruleset order, then indicators, then
 * correlations).
 */
typedef struct sp_hunt sp_hunt;

typedef void (*sp_warn_fn)(void *user, const char *file, uint64_t offset, const char *msg);
typedef void (*sp_progress_fn)(void *user, const char *file, uint64_t done, uint64_t total);

typedef struct sp_hunt_opts {
    unsigned threads;          /* 0 = number of online CPUs */
    int recover;               /* carve EVTX records too */
    sp_diag_fn diag;           /* EVTX damage (may be NULL) */
    sp_warn_fn warn;           /* other input problems: bad lines, unknown files */
    sp_progress_fn progress;   /* per input, as it goes (may be NULL) */
    /* which rules' detections to keep (--min-level, --status, --rule);
     * NULL keeps all.  Asked once per rule when the hunt is made. */
    int (*keep_rule)(void *user, const sp_rule_info *rule);
    void *user;                /* for the callbacks */
    /* intelligence (borrowed; must outlive the hunt; may be NULL): IOC hits
     * in any event become detections; IPs seen are enriched with geo/ASN */
    const struct sp_intel *intel;
    const struct sp_geo *geo;
    /* actor profiles (borrowed; may be NULL): a web-shell client from a
     * profile's origin country or ASN is linked to that actor */
    const struct sp_kb *kb;
    /* or, when kb is NULL, called once at sp_hunt_finish for the profiles,
     * only if web-shell clients were seen (loading them costs a YAML parse
     * most hunts need not pay); may return NULL */
    const struct sp_kb *(*profiles)(void *user);
    /* detections from EVTX keep no rendered copy of their event (sp_hit.event
     * is ""): for hunts whose timeline is not written (the JSON rendering of
     * every detected event was ~5% of a SigmaHQ hunt) */
    int no_event_copies;
} sp_hunt_opts;

/* Accounting of one input (borrowed from the hunt). */
typedef struct sp_input_stats {
    const char *path;
    const char *format;        /* "evtx", "jsonl", "unknown", "unreadable" */
    uint64_t records;          /* records/lines seen */
    uint64_t parsed;           /* decoded and matched */
    uint64_t skipped;          /* not events (blank lines, ...): with a reason */
    uint64_t recovered;        /* carved EVTX records */
    uint64_t errors;           /* damaged / malformed */
    uint64_t detections;
    const char *skip_reason;   /* the first reason, "" if none */
    const char *error;         /* the first error, "" if none */
} sp_input_stats;

/* One detection (borrowed from the hunt). */
typedef struct sp_hit {
    const sp_rule_info *rule;
    int64_t time_ms;           /* ms since 1970, INT64_MIN unknown */
    const char *source;        /* input path */
    uint64_t record;           /* EVTX record id or JSON line number */
    uint32_t event_id;
    int has_event_id;
    const char *channel, *host;    /* "" when unknown */
    const char *event;         /* the event as JSON (evtx_dump shape for EVTX); ""
                                  for EVTX when sp_hunt_opts.no_event_copies */
    size_t event_len;
    int recovered;
    /* correlations */
    int is_correlation;
    int64_t first_ms;
    uint64_t count;
    double value;
    const char *group;         /* "field=value, ..." */
    /* IOC matches (rule then describes the indicator: id, "IOC match: ...",
     * level from its confidence, tags from the actors/malware it links to) */
    const struct sp_ioc *ioc;
    const char *ioc_field, *ioc_observed;   /* where and what the event held */
} sp_hit;

/* What the hunt learns from every event (not only flagged ones). */
typedef struct sp_logon_row {
    const char *account;       /* DOMAIN\user or user */
    const char *logon_type;    /* "10 (RemoteInteractive)", "3 (Network)", "RDP (1149)", ... */
    const char *source_ip;     /* "" when none */
    const char *host;          /* the computer logged on to */
    uint64_t success, failure;
    int64_t first_ms, last_ms;
} sp_logon_row;

typedef struct sp_account_change {
    int64_t time_ms;
    const char *host;
    uint32_t event_id;
    const char *what;          /* "account created", "account enabled", "added to group", ... */
    const char *account;       /* the account changed / the member added */
    const char *group;         /* "" unless a group change */
    const char *by;            /* the subject who did it */
    uint32_t source;
    uint64_t record;
} sp_account_change;

/* An external IP the evidence shows talking to the hosts. */
enum { SP_IPROLE_LOGON_SOURCE = 1, SP_IPROLE_INBOUND = 2, SP_IPROLE_OUTBOUND = 4, SP_IPROLE_WEB_CLIENT = 8,
       SP_IPROLE_WEB_SHELL_CLIENT = 16, SP_IPROLE_C2 = 32 };
typedef struct sp_ip_row {
    const char *ip;
    const char *host;          /* a host it talked to (the first seen) */
    unsigned roles;            /* SP_IPROLE_* */
    uint64_t count;
    int64_t first_ms, last_ms;
    char country[4];           /* "" unknown (no geo data) */
    uint32_t asn;
    char as_org[128];
} sp_ip_row;

/* A server-side script that looks like a web shell, and who used it. */
typedef struct sp_web_client {
    const char *ip;
    uint64_t count;
    int64_t first_ms, last_ms;
    char country[4];           /* "" unknown */
    int rare;                  /* 1: its country makes up < 1% of the site's requests;
                                  2: its ASN < 1% (country < 10%); 3: both */
    const char *actor;         /* the actor/campaign an --intel indicator links it to; "" none */
    const char *profile;       /* "Lazarus Group (KP)": a profile whose origin country/ASN it
                                  is in (sp_hunt_opts.kb); "" none */
} sp_web_client;
typedef struct sp_webshell {
    const char *site;          /* Host header or server address; "-" unknown */
    const char *resource;      /* the script's path */
    int score;                 /* >= 3 reported */
    const char *why;           /* "2 clients; 14 POST; 6 command-like queries; ..." */
    uint64_t requests, posts, cmdlike;
    int64_t first_ms, last_ms;
    const sp_web_client *clients;   /* rarest country first, then fewest requests */
    size_t nclients;
    uint64_t more_clients;     /* past SP_ANA_MAX_CLIENTS */
} sp_webshell;

/* A public destination reached with no DNS answer behind it (bare-IP C2?). */
typedef struct sp_c2_row {
    const char *host;          /* the internal host (or address) that connected */
    const char *dst;
    uint64_t count, bytes;
    int64_t first_ms, last_ms;
    double median_interval_s;  /* between connections; 0 when < 2 */
    double jitter;             /* median absolute deviation / median */
    int beacon;                /* >= 6 connections and jitter <= 0.25 */
    int http_host_ip;          /* HTTP requests named the address as Host */
    char country[4];
    uint32_t asn;
} sp_c2_row;

typedef struct sp_hours {
    uint64_t n;                        /* activity events counted */
    uint32_t by_hour_utc[7][24];       /* [weekday Mon=0][hour] in UTC */
    int best_offset_min;               /* UTC offset of the best-fitting working week */
    double best_posterior;             /* probability of that offset among all tried */
    double in_window;                  /* share of events in Mon-Fri 08-19 local */
    const char *confidence;            /* "low" / "moderate" / "high" */
    int second_offset_min;
    double second_posterior;
} sp_hours;

sp_status sp_hunt_new(const sp_ruleset *rs, const sp_hunt_opts *opts, sp_hunt **out, sp_error *err);
void sp_hunt_free(sp_hunt *h);
/* Hunt a file or a folder (recursively, in name order).  Problems with one
 * input are accounted for and reported, never fatal; returns SP_OK unless
 * memory runs out. */
sp_status sp_hunt_add_path(sp_hunt *h, const char *path, sp_error *err);
/* Hunt evidence held in memory (borrowed during the call), named `name`. */
sp_status sp_hunt_add_buffer(sp_hunt *h, const char *name, const void *data, size_t len, sp_error *err);
/* End of input: close correlation windows, sort the detections. */
sp_status sp_hunt_finish(sp_hunt *h, sp_error *err);
size_t sp_hunt_input_count(const sp_hunt *h);
const sp_input_stats *sp_hunt_input(const sp_hunt *h, size_t i);
size_t sp_hunt_hit_count(const sp_hunt *h);
/* The i-th detection in timeline order (after sp_hunt_finish). */
void sp_hunt_hit(const sp_hunt *h, size_t i, sp_hit *out);
/* The logon summary and account changes (after sp_hunt_finish): logon rows
 * most frequent first, changes in time order. */
size_t sp_hunt_logon_count(const sp_hunt *h);
const sp_logon_row *sp_hunt_logon(const sp_hunt *h, size_t i);
size_t sp_hunt_change_count(const sp_hunt *h);
const sp_account_change *sp_hunt_change(const sp_hunt *h, size_t i);
/* Operator hours: hands-on activity (detections, interactive and RDP logons,
 * account changes) by UTC weekday and hour, and the best-fitting UTC offset
 * of a Monday-Friday 08-19 working week with its confidence. */
void sp_hunt_hours(const sp_hunt *h, sp_hours *out);
/* External IPs seen (most seen first), with geo/ASN when geo data was given. */
size_t sp_hunt_ip_count(const sp_hunt *h);
const sp_ip_row *sp_hunt_ip(const sp_hunt *h, size_t i);
/* Suspected web shells (highest score first) and bare-IP destinations
 * (beacons first, then most connections). */
size_t sp_hunt_webshell_count(const sp_hunt *h);
const sp_webshell *sp_hunt_webshell(const sp_hunt *h, size_t i);
size_t sp_hunt_c2_count(const sp_hunt *h);
const sp_c2_row *sp_hunt_c2(const sp_hunt *h, size_t i);

/* Write the timeline: JSON lines (".jsonl", ".json") or CSV (".csv") chosen
 * by the file name's extension.  Field text is escaped for its format; CSV
 * cells that could start a spreadsheet formula are neutralised. */
sp_status sp_hunt_write_timeline(const sp_hunt *h, const char *path, sp_error *err);
/* The same to an open stdio stream. */
typedef enum { SP_TL_JSONL = 1, SP_TL_CSV = 2 } sp_timeline_fmt;
sp_status sp_hunt_write_timeline_fp(const sp_hunt *h, void *FILE_ptr, sp_timeline_fmt fmt, sp_error *err);

/* ------------------------------------------------- ---- Knowledge base ---- */
/*
 * The ATT&CK knowledge base and spoor's actor profiles (docs/intel.md).
 *
 *   sp_kb  MITRE ATT&CK Enterprise (groups, software, techniques, tactics,
 *          campaigns and their relationships, each relationship with the
 *          source reports it cites) plus curated actor profiles (countries,
 *          ASNs, malware ATT&CK lacks, infrastructure habits, working hours,
 *          targets), every profile claim with its references.
 *
 * Life cycle: sp_kb_new -> sp_kb_load_attack (once: spoor's compact KB file
 * or a STIX 2.0/2.1 bundle, plain, .gz or .zst) -> sp_kb_add_profiles (any
 * number) -> queries -> sp_kb_free.  sp_kb_load_default does both from the
 * intel folder (sp_intel_dir).  Indexes are built by every load call, so a
 * loaded sp_kb is read-only and may be shared by threads.
 *
 * Objects are addressed by kind and index (0 .. sp_kb_count-1).  Every
 * object ATT&CK holds is kept, revoked and deprecated ones too (flagged):
 * skip them when scoring.  Lookups follow revoked-by to the replacement.
 * Pointers returned are owned by the sp_kb and valid until the next load
 * call or sp_kb_free.
 */
typedef struct sp_kb sp_kb;

typedef enum sp_kb_kind {
    SP_KB_GROUP = 0,      /* intrusion-set (Gxxxx), or a group only a profile defines */
    SP_KB_SOFTWARE,       /* malware and tool (Sxxxx) */
    SP_KB_TECHNIQUE,      /* attack-pattern (Txxxx, Txxxx.yyy) */
    SP_KB_TACTIC,         /* x-mitre-tactic (TAxxxx) */
    SP_KB_CAMPAIGN,       /* campaign (Cxxxx) */
    SP_KB__KINDS
} sp_kb_kind;

/* Directions of relationships, seen from the object asked about. */
typedef enum sp_kb_rel {
    SP_KB_USES = 0,       /* group/campaign/software -> technique, group/campaign -> software */
    SP_KB_USED_BY,        /* the reverse: technique -> groups using it, ... */
    SP_KB_ATTRIBUTED_TO,  /* campaign -> group */
    SP_KB_ATTRIBUTED,     /* group -> campaigns attributed to it */
    SP_KB__RELS
} sp_kb_rel;

typedef enum sp_kb_conf { SP_KB_CONF_UNSTATED = 0, SP_KB_CONF_LOW, SP_KB_CONF_MEDIUM, SP_KB_CONF_HIGH } sp_kb_conf;

/* One claim of a profile: a value with the references that support it. */
typedef struct sp_kb_claim {
    const char *field;          /* "aliases", "countries", "infra_countries", "asns",
                                   "motivation", "malware", "tools", "techniques",
                                   "sectors", "regions", "infrastructure.<habit>",
                                   "working_hours" */
    const char *value;          /* normalised: "KP", "AS131279", "GREASE2",
                                   "T1505.003", "true", "+09:00 mon-fri 08-18" */
    const uint32_t *reports;    /* report keys (sp_kb_report_at) */
    size_t nreports;
    sp_kb_conf confidence;
    const char *note;           /* "" if none */
} sp_kb_claim;

/* Operators' working hours, as a profile states them (known == 0: unstated). */
typedef struct sp_kb_hours {
    int known;
    int utc_offset_min;         /* +540 for UTC+9 */
    unsigned weekdays;          /* bit 0 = Monday ... bit 6 = Sunday */
    int start_hour, end_hour;   /* local time, [start, end) */
    const sp_kb_claim *claim;
} sp_kb_hours;

typedef struct sp_kb_profile {
    const char *file;           /* the YAML file it came from */
    const char *id;             /* "G0032" or "spoor-bianlian" */
    const char *name, *attack_id, *cluster;         /* "" when absent */
    const char *const *countries; size_t ncountries;             /* origin (ISO 3166 alpha-2) */
    const char *const *infra_countries; size_t ninfra_countries; /* where its infrastructure sat */
    const uint32_t *asns; size_t nasns;
    const char *const *motivations; size_t nmotivations;         /* espionage, financial, ... */
    const char *const *malware; size_t nmalware;    /* families and tools, ATT&CK's or not */
    const char *const *sectors; size_t nsectors;
    const char *const *regions; size_t nregions;
    sp_kb_hours hours;
    const sp_kb_claim *claims; size_t nclaims;      /* everything above, with references */
} sp_kb_profile;

/* An object.  Fields that do not apply to its kind are 0 / "" / SIZE_MAX. */
typedef struct sp_kb_object {
    sp_kb_kind kind;
    const char *id;             /* ATT&CK ID; profile-only groups: the profile id */
    const char *name;
    const char *const *aliases; size_t naliases;    /* the name is not repeated */
    int revoked, deprecated;
    size_t revoked_by;          /* index of the replacement (same kind), SIZE_MAX */
    int in_attack;              /* defined by ATT&CK (0: only by a profile) */
    /* techniques */
    int subtechnique;
    size_t parent;              /* subtechnique-of, SIZE_MAX */
    const uint32_t *tactics; size_t ntactics;       /* SP_KB_TACTIC indexes */
    /* software */
    int is_tool;                /* tool, else malware */
    /* tactics */
    const char *shortname;      /* "credential-access" */
    /* campaigns */
    const char *first_seen, *last_seen;
    /* groups */
    const sp_kb_profile *profile;   /* NULL without a profile */
} sp_kb_object;

/* One relationship as seen from an object. */
typedef struct sp_kb_link {
    uint32_t target;            /* index of the object at the other end */
    uint8_t from_attack;        /* stated by ATT&CK */
    uint8_t from_profile;       /* stated by a spoor profile */
    const uint32_t *reports;    /* report keys of every source citing it */
    size_t nreports;
} sp_kb_link;

/* A source report: ATT&CK's citation (source_name, url) or a profile reference. */
typedef struct sp_kb_report {
    const char *source;         /* "Kaspersky Lazarus Under The Hood Blog 2017", profile ref title */
    const char *url;            /* "" if none */
    int from_profile;
} sp_kb_report;

typedef struct sp_kb_rejection {
    const char *file;
    const char *reason;
} sp_kb_rejection;

typedef struct sp_kb_stats {
    const char *attack_version; /* "18.1", "unknown", "" when none loaded */
    const char *attack_source;  /* the file loaded */
    const char *attack_format;  /* "kb" (spoor's file), "stix-2.0", "stix-2.1" */
    const char *notice;         /* MITRE's copyright designation */
    size_t objects[SP_KB__KINDS];   /* every object, revoked and deprecated too */
    size_t active[SP_KB__KINDS];    /* neither revoked nor deprecated */
    size_t groups_profile_only;     /* active groups only a profile defines (not in active[]) */
    size_t subtechniques_active;
    size_t malware_active, tools_active;
    /* ATT&CK relationships (not revoked, not deprecated) by type */
    size_t uses_group_technique, uses_group_software;
    size_t uses_campaign_technique, uses_campaign_software;
    size_t uses_software_technique;
    size_t attributed_to, subtechnique_of, revoked_by;
    size_t reports;             /* distinct cited reports */
    size_t profiles, profiles_rejected;
    double attack_load_ms, profiles_load_ms;
} sp_kb_stats;

sp_status sp_kb_new(sp_kb **out);
void sp_kb_free(sp_kb *kb);

/* The intel folder: $SPOOR_INTEL, else <exe dir>/../intel, else
 * /usr/share/spoor/intel.  Returns buf, or NULL when none exists. */
const char *sp_intel_dir(char *buf, size_t cap);
/* Load <intel>/attack/enterprise-attack.kb.gz and, when `profiles`,
 * every profile in <intel>/profiles. */
sp_status sp_kb_load_default(sp_kb *kb, int profiles, sp_error *err);
/* Load ATT&CK: spoor's KB file or a STIX bundle (recognised by content;
 * gzip or zstd compressed or plain).  Only once per sp_kb, and before any
 * profile (SP_ERR_ARG otherwise). */
sp_status sp_kb_load_attack(sp_kb *kb, const char *path, sp_error *err);
sp_status sp_kb_load_attack_mem(sp_kb *kb, const void *data, size_t len, const char *name, sp_error *err);
/* Add actor profiles: a YAML file, or every *.yml / *.yaml in a folder (in
 * name order).  A broken profile is rejected with a reason naming its file
 * (sp_kb_rejection_at) and changes nothing; only I/O and memory fail the call. */
sp_status sp_kb_add_profiles(sp_kb *kb, const char *path, sp_error *err);
sp_status sp_kb_add_profile_yaml(sp_kb *kb, const char *name, const char *text, size_t len, sp_error *err);
size_t sp_kb_rejection_count(const sp_kb *kb);
const sp_kb_rejection *sp_kb_rejection_at(const sp_kb *kb, size_t i);

void sp_kb_get_stats(const sp_kb *kb, sp_kb_stats *out);
size_t sp_kb_count(const sp_kb *kb, sp_kb_kind kind);
const sp_kb_object *sp_kb_object_at(const sp_kb *kb, sp_kb_kind kind, size_t i);
/* Find an object by ATT&CK ID, name or alias (ASCII case-insensitive),
 * following revoked-by.  Returns 1 and sets *index, or 0. */
int sp_kb_lookup(const sp_kb *kb, sp_kb_kind kind, const char *name, size_t *index);
/* Relationships of object (kind, i) in direction `rel` to objects of
 * `target` kind, sorted by target index.  Returns the count; *out may be
 * NULL to count only (e.g. groups using a technique). */
size_t sp_kb_links(const sp_kb *kb, sp_kb_kind kind, size_t i, sp_kb_rel rel,
                   sp_kb_kind target, const sp_kb_link **out);
const sp_kb_report *sp_kb_report_at(const sp_kb *kb, uint32_t key);
/* The first claim of a profile with this field (and value, unless NULL). */
const sp_kb_claim *sp_kb_claim_find(const sp_kb_profile *p, const char *field, const char *value);
const char *sp_kb_kind_name(sp_kb_kind kind);   /* "group", "software", ... */

/* ---- Intelligence: IOCs and geo ---- */
/*
 * IOC store (sp_intel): indicators loaded from STIX 2.1 bundles, MISP events
 * and feeds, CSV and plain lists (or added one by one), compiled once into an
 * immutable index that any number of threads may share for lookups.
 *
 * Life cycle:  sp_intel_new -> sp_intel_load_path / _load_mem / _add (any
 *              number) -> sp_intel_compile -> sp_intel_lookup /
 *              sp_intel_match_field / sp_intel_match_event ... -> sp_intel_free.
 *
 * Every input record is accounted for per source (sp_intel_source): loaded,
 * skipped with a reason, ignored (blank, comment, header lines) or an
 * unsupported STIX pattern, reported by indicator id with the reason
 * (sp_intel_issue).  Bad input never crashes; sizes and depths are bounded
 * (limits.h, "Intelligence" block).
 *
 * Geo (sp_geo): country and ASN of an address from MaxMind DB files and range
 * CSVs, plus special-purpose ranges (private, loopback, ...) known without
 * any database.  docs/intel.md describes formats, the STIX pattern subset and
 * the geo search path.
 */
typedef struct sp_intel sp_intel;

typedef enum sp_ioc_type {
    SP_IOC_NONE = 0,
    SP_IOC_IPV4,        /* address or CIDR */
    SP_IOC_IPV6,        /* address or CIDR */
    SP_IOC_DOMAIN,      /* matches the name and any subdomain */
    SP_IOC_HOSTNAME,    /* matches the exact name only */
    SP_IOC_URL,
    SP_IOC_MD5,
    SP_IOC_SHA1,
    SP_IOC_SHA256,
    SP_IOC_IMPHASH,
    SP_IOC_FILENAME,    /* base name, glob allowed (* ?), case-insensitive */
    SP_IOC_FILEPATH,    /* full path, glob allowed, case-insensitive, drive ignored */
    SP_IOC_REGKEY,      /* the key and everything below it, case-insensitive */
    SP_IOC_MUTEX,       /* exact, case-sensitive */
    SP_IOC_PIPE,        /* named pipe, case-insensitive; printf %X-style parts are wildcards */
    SP_IOC_PATTERN,     /* a STIX pattern evaluated against observations */
    SP_IOC__COUNT
} sp_ioc_type;

/* "ipv4", "domain", "sha256", ... ; sp_ioc_type_parse accepts these names,
 * common aliases and MISP attribute types ("ip-dst", "named pipe", ...). */
const char *sp_ioc_type_name(sp_ioc_type t);
sp_ioc_type sp_ioc_type_parse(const char *name, size_t len);
/* Guess the type of an indicator value (IP/CIDR, URL, hash by length, registry
 * key, pipe, path, domain, file name).  Returns SP_IOC_NONE when unsure.
 * Mutexes cannot be recognised; give their type explicitly. */
sp_ioc_type sp_ioc_detect(const char *value, size_t len);
/* Undo common defanging ("hxxp://", "1.2.3[.]4", "evil(.)com", "[:]") into
 * out (cap >= len + 8 suffices); returns the new length. */
size_t sp_ioc_refang(const char *value, size_t len, char *out, size_t cap);

/* What an indicator points at (from STIX `indicates` relationships, MISP
 * galaxies/tags, a CSV actor column). */
typedef struct sp_ioc_link {
    const char *kind;       /* "intrusion-set", "threat-actor", "malware", "campaign", "tool", ... */
    const char *name;       /* "Lazarus Group"; "" when only the reference is known */
    const char *attack_id;  /* "G0032", "S0567", "C0022"; "" when unknown */
    const char *ref;        /* STIX id / MISP galaxy tag; "" when none */
} sp_ioc_link;

/* One indicator value in the store.  Strings are NUL-terminated, "" when
 * absent; owned by the store and valid until sp_intel_free. */
typedef struct sp_ioc {
    sp_ioc_type type;
    const char *value;       /* normalised for display (lower-case hash, canonical CIDR, ...);
                                the pattern text for SP_IOC_PATTERN */
    const char *id;          /* STIX indicator id, MISP attribute uuid, "line N" */
    const char *source;      /* the file or feed it came from */
    const char *name;        /* indicator name / MISP event info */
    const char *comment;     /* description / comment */
    int confidence;          /* 0-100, -1 when the source states none */
    int to_ids;              /* MISP to_ids (1 for other sources) */
    int64_t valid_from_ms;   /* INT64_MIN when open */
    int64_t valid_until_ms;  /* INT64_MAX when open */
    const char *const *labels;
    size_t nlabels;
    const sp_ioc_link *links;
    size_t nlinks;
} sp_ioc;

/* Whether an indicator is valid at a time (ms since 1970). */
int sp_ioc_valid_at(const sp_ioc *ioc, int64_t ms);

/* One hit: borrowed, points into the store. */
typedef struct sp_ioc_hit {
    const sp_ioc *ioc;
    sp_ioc_type as;          /* what the observed value was taken as */
    int exact;               /* 1 = equal to the indicator; 0 = inside its CIDR, a
                                subdomain, a glob match, a key below it */
    uint32_t off, len;       /* the matched part of the value (a token of a command line) */
} sp_ioc_hit;

typedef struct sp_intel_opts {
    int ids_only;            /* MISP: load only attributes with to_ids set */
    int default_confidence;  /* given to indicators whose source states none
                                (CSV, lists, MISP); -1 = leave unknown */
} sp_intel_opts;

typedef enum sp_intel_format {
    SP_INTEL_AUTO = 0, SP_INTEL_STIX, SP_INTEL_MISP, SP_INTEL_CSV
} sp_intel_format;

/* Accounting of one loaded file (borrowed from the store). */
typedef struct sp_intel_source {
    const char *path;
    const char *format;      /* "stix", "misp", "misp-manifest", "csv", "unknown", "unreadable" */
    size_t records;          /* STIX objects considered, MISP attributes, lines */
    size_t loaded;           /* records that gave at least one indicator */
    size_t skipped;          /* records refused, each with an issue */
    size_t ignored;          /* blank, comment and header lines; STIX objects that are not indicators */
    size_t unsupported;      /* STIX patterns spoor cannot evaluate, each with an issue */
    size_t values;           /* indicator values added to the store */
    size_t observations;     /* STIX observed-data loaded */
    const char *error;       /* "" unless the file could not be read or parsed at all */
} sp_intel_source;

typedef struct sp_intel_issue {
    const char *source;      /* file */
    const char *where;       /* indicator / attribute id, or "line N" */
    const char *reason;
    int unsupported;         /* 0: a record skipped; 1: a STIX pattern spoor cannot
                                evaluate (not loaded); 2: a note on a record that
                                loaded (e.g. a multi-observation pattern) */
} sp_intel_issue;

typedef struct sp_intel_stats {
    size_t iocs;                     /* values in the store */
    size_t by_type[SP_IOC__COUNT];
    size_t patterns;                 /* compiled STIX patterns (not in the fast index) */
    size_t observations;             /* STIX observed-data */
    size_t sources, issues;
    double load_ms, compile_ms;
} sp_intel_stats;

/* Metadata for sp_intel_add; NULL strings mean "". */
typedef struct sp_ioc_meta {
    const char *id, *source, *name, *comment;
    int confidence;                  /* -1 unknown */
    int to_ids;
    int64_t valid_from_ms, valid_until_ms;   /* 0,0 = open */
    const char *const *labels;
    size_t nlabels;
    const sp_ioc_link *links;
    size_t nlinks;
} sp_ioc_meta;

sp_status sp_intel_new(const sp_intel_opts *opts, sp_intel **out, sp_error *err);
void sp_intel_free(sp_intel *in);
/* Load a file or every file below a folder (recursively, in name order;
 * MISP feed folders: manifest.json + <uuid>.json).  The format is recognised
 * by content.  Problems with a file are recorded in its sp_intel_source and
 * are not errors of this call, which fails only for a path that cannot be
 * read at all (SP_ERR_IO), memory or limits. */
sp_status sp_intel_load_path(sp_intel *in, const char *path, sp_error *err);
/* Load bytes in memory; `name` is the source name in reports. */
sp_status sp_intel_load_mem(sp_intel *in, const char *name, const char *data, size_t len,
                            sp_intel_format fmt, sp_error *err);
/* Add one value (type SP_IOC_NONE = detect).  SP_ERR_FORMAT when the value is
 * not valid for its type. */
sp_status sp_intel_add(sp_intel *in, sp_ioc_type type, const char *value, size_t len,
                       const sp_ioc_meta *meta, sp_error *err);
/* Build the indexes; afterwards the store is immutable and loads fail with
 * SP_ERR_ARG. */
sp_status sp_intel_compile(sp_intel *in, sp_error *err);

void sp_intel_get_stats(const sp_intel *in, sp_intel_stats *out);
size_t sp_intel_count(const sp_intel *in);
const sp_ioc *sp_intel_ioc(const sp_intel *in, size_t i);
size_t sp_intel_source_count(const sp_intel *in);
const sp_intel_source *sp_intel_source_at(const sp_intel *in, size_t i);
size_t sp_intel_issue_count(const sp_intel *in);   /* issues kept (the counts in sources are complete) */
int sp_intel_issue_at(const sp_intel *in, size_t i, sp_intel_issue *out);

/* What the store knows of one value, taken as `type` (SP_IOC_NONE = detect;
 * URLs are also looked up by host, paths also by base name).  Fills up to
 * `max` hits, returns how many were written.  No allocation; thread-safe on a
 * compiled store. */
size_t sp_intel_lookup(const sp_intel *in, sp_ioc_type type, const char *value, size_t len,
                       sp_ioc_hit *hits, size_t max);

/* Match one event field.  The field name (last dotted component, any case)
 * decides how the value is read: IP fields (IpAddress, SourceIp,
 * DestinationIp, c-ip, src_ip, ...: ports, [brackets] and ::ffff: stripped),
 * host names (QueryName, DestinationHostname, Host, ...), URLs, hashes
 * (Sysmon `Hashes` lists "SHA1=...,MD5=...,IMPHASH=..."), image paths and
 * file names (full path and base name), command lines (IPs, domains, URLs and
 * paths inside the text), registry keys (TargetObject), pipes (PipeName),
 * mutexes; other fields are matched when the whole value looks like an IP,
 * hash, URL or domain.  Same contract as sp_intel_lookup. */
size_t sp_intel_match_field(const sp_intel *in, const char *field, size_t flen,
                            const char *value, size_t vlen, sp_ioc_hit *hits, size_t max);

/* Match every field of an event (see src/sigma/sigma_event.h), then the
 * compiled STIX patterns against the event taken as one observation (field
 * names mapped to object paths: docs/intel.md).  `fn` gets each hit with the
 * field and value it came from (field "" and the pattern text for a pattern
 * hit); return non-zero to stop.  Returns the number of hits reported. */
typedef int (*sp_intel_hit_fn)(void *user, const char *field, size_t flen,
                               const char *value, size_t vlen, const sp_ioc_hit *hit);
size_t sp_intel_match_event(const sp_intel *in, const sp_event *ev, sp_intel_hit_fn fn, void *user);

/* ---- STIX patterns ---- */
/* A compiled STIX 2.1 pattern (part 9, Patterning).  Evaluated against
 * observations: sets of (object path, value) with a time.  Object paths are
 * written as in patterns ("file:hashes.'SHA-256'", "network-traffic:dst_ref.value");
 * list indexes are ignored. */
typedef struct sp_stix_pattern sp_stix_pattern;

typedef struct sp_obs_value {
    const char *path;        /* NUL-terminated */
    const char *value;
    size_t len;
} sp_obs_value;

typedef struct sp_observation {
    const char *id;          /* observed-data id, "" for an event */
    int64_t time_ms;         /* INT64_MIN when unknown */
    int64_t last_ms;         /* last time seen (== time_ms for an event) */
    uint32_t count;          /* number_observed (1 for an event) */
    const sp_obs_value *values;
    size_t n;
} sp_observation;

/* Compile; on a syntax error fills err->msg (with err->offset the byte
 * offset in the pattern) and returns SP_ERR_FORMAT. */
sp_status sp_stix_pattern_compile(const char *text, size_t len, sp_stix_pattern **out, sp_error *err);
void sp_stix_pattern_free(sp_stix_pattern *p);
/* 1 when the observations satisfy the pattern, 0 when not. */
int sp_stix_pattern_match(const sp_stix_pattern *p, const sp_observation *obs, size_t n);
/* Whether one observation alone can satisfy it (no AND / FOLLOWEDBY across
 * observations, no REPEATS above 1). */
int sp_stix_pattern_single(const sp_stix_pattern *p);

size_t sp_intel_observation_count(const sp_intel *in);
const sp_observation *sp_intel_observation(const sp_intel *in, size_t i);

/* ---- Geo / ASN ---- */
typedef struct sp_geo sp_geo;

typedef struct sp_geo_info {
    char country[4];         /* ISO 3166-1 alpha-2, "" unknown */
    uint32_t asn;            /* 0 unknown */
    char as_org[128];        /* "" unknown */
    const char *special;     /* "private", "loopback", ... or "" (see sp_ip_special) */
    const char *country_src, *asn_src;   /* file that answered, "" */
} sp_geo_info;

sp_status sp_geo_new(sp_geo **out);
void sp_geo_free(sp_geo *g);
/* Add a MaxMind DB (.mmdb: country from country_code or country.iso_code,
 * ASN from autonomous_system_number/_organization) or a range CSV
 * (start,end,asn,org or start,end,country).  Files are asked in the order
 * added; the first to answer a field wins. */
sp_status sp_geo_add_file(sp_geo *g, const char *path, sp_error *err);
/* Add the files of the default search path: every file of $SPOOR_GEOIP
 * (colon-separated), else the *.mmdb / *.csv files of the first existing
 * folder of <exe dir>/../intel/geo/, /usr/share/spoor/geo/, /usr/share/GeoIP/.
 * `exe_path` may be NULL.  Returns the number of files added. */
size_t sp_geo_add_default(sp_geo *g, const char *exe_path);
size_t sp_geo_file_count(const sp_geo *g);
const char *sp_geo_file(const sp_geo *g, size_t i);
/* Look an address up (text; IPv4, IPv6, ports/brackets tolerated).
 * Returns 1 when anything is known (country, ASN or special label), 0 when
 * nothing, -1 when the text is not an address. */
int sp_geo_lookup(const sp_geo *g, const char *ip, size_t len, sp_geo_info *out);
/* The special-purpose range an address is in: "private", "loopback",
 * "link-local", "cgnat", "documentation", "multicast", "unspecified",
 * "broadcast", "reserved", "benchmarking", "this-network" (fc00::/7 is
 * "private");
 * NULL for public addresses or text that is not an address. */
const char *sp_ip_special(const char *ip, size_t len);
/* ---------------------------------------------------- ---- Attribution ---- */
/*
 * Who is most likely behind an intrusion (docs/attribution.md).
 *
 *   sp_evidence    what a hunt found: ATT&CK techniques (with counts, rule
 *                  level and status, hosts), software, malware names, external
 *                  IPs with country / ASN / role, bare-IP C2, operators' hours,
 *                  the victim's sector and country.  Built with the add/set
 *                  calls (sp_evidence_add_hit takes a Sigma detection) or
 *                  parsed from JSON (spoor hunt --json findings or an
 *                  evidence file).
 *   sp_attr        the model, built once from a loaded sp_kb (IDF-like
 *                  feature weights and per-group vectors precomputed);
 *                  read-only afterwards, so threads may share it.  Borrows the
 *                  sp_kb, which must outlive it.
 *   sp_assessment  hypotheses best first — every group of the kb plus "an
 *                  actor not in the knowledge base" — each with a likelihood
 *                  (the likelihoods sum to 1), an ODNI confidence, the ICD 203
 *                  term, the evidence for and against with weights; clusters;
 *                  what to hunt next (with the Sigma rules that look for it).
 *
 * Weights are natural-log likelihood ratios against "an average actor", the
 * units the likelihoods are computed in: a hypothesis's weights plus its log
 * prior give its log posterior odds up to one constant.
 */
typedef struct sp_evidence sp_evidence;
typedef struct sp_attr sp_attr;
typedef struct sp_assessment sp_assessment;

sp_status sp_evidence_new(sp_evidence **out);
void sp_evidence_free(sp_evidence *ev);
/* A technique seen `count` times by rules of level `max_level` ("critical",
 * "high", "medium", "low", "informational"; NULL/"" unknown) and status
 * `status` ("stable", "test", "experimental", ...; NULL/"" unknown) on `hosts`
 * distinct hosts (0 unknown).  Repeated calls for one technique accumulate.
 * `id` is "T1059.001" (case-insensitive, "attack.t1059.001" accepted).
 * Returns SP_ERR_ARG for an id that is not a technique id. */
sp_status sp_evidence_add_technique(sp_evidence *ev, const char *id, uint64_t count,
                                    const char *max_level, const char *status, unsigned hosts);
/* Software by ATT&CK id ("S0567", "attack.s0567") or name ("Dtrack"). */
sp_status sp_evidence_add_software(sp_evidence *ev, const char *id_or_name, uint64_t count);
/* A malware family or tool by name (YARA hits, IOC links): "GREASE2". */
sp_status sp_evidence_add_malware(sp_evidence *ev, const char *name);
/* An external address that reached the victim.  country: ISO 3166 alpha-2
 * or NULL; asn 0 unknown; role: "web_shell_client", "operator", "c2",
 * "rdp_client", "exfil", "scanner", ... or NULL. */
sp_status sp_evidence_add_ip(sp_evidence *ev, const char *ip, const char *country, uint32_t asn,
                             const char *role);
sp_status sp_evidence_add_country(sp_evidence *ev, const char *country);
sp_status sp_evidence_add_asn(sp_evidence *ev, uint32_t asn);
/* An IOC that matched, linked by the feed to an actor (name, alias or id). */
sp_status sp_evidence_add_ioc_actor(sp_evidence *ev, const char *ioc, const char *actor);
/* Operators' working hours: best-fitting UTC offset (minutes east), the fit's
 * confidence ("low", "moderate", "high") and the number of events used. */
sp_status sp_evidence_set_hours(sp_evidence *ev, int utc_offset_min, const char *confidence, uint64_t events);
/* Fit the hours from operator event times (ms since 1970): the UTC offset
 * that puts most events in a Monday-Friday 08-19 working day.  Sets the
 * hours (and returns SP_OK) when n >= 8; SP_ERR_ARG otherwise. */
sp_status sp_evidence_fit_hours(sp_evidence *ev, const int64_t *times_ms, size_t n);
/* 1: C2 reached by bare IP addresses (no DNS name) was seen; 0: the network
 * evidence was checked and every C2 had a name; -1 (default): unknown. */
void sp_evidence_set_bare_ip_c2(sp_evidence *ev, int seen);
sp_status sp_evidence_set_victim(sp_evidence *ev, const char *sector, const char *country);
/* One detection of a hunt: the rule's attack.tXXXX / attack.sXXXX tags
 * become techniques / software, weighted by its level and status; `host`
 * (may be NULL) counts distinct hosts. */
sp_status sp_evidence_add_hit(sp_evidence *ev, const sp_rule_info *rule, const char *host);
/* Merge JSON: the output of `spoor hunt --json` (its "attribution_evidence"
 * object and/or top-level "techniques" list) or an evidence file
 * ({"techniques": ["T1059.001", ...], "software": [...], "ips": [...], ...},
 * docs/attribution.md).  Missing parts are fine; wrong types of known keys
 * are errors naming the key (SP_ERR_FORMAT).  `name` is used in messages. */
sp_status sp_evidence_parse_json(sp_evidence *ev, const char *text, size_t len, const char *name, sp_error *err);
/* Items held: techniques, software, malware, ips, countries, asns. */
size_t sp_evidence_size(const sp_evidence *ev);

/* A Sigma rule for "what to hunt next": its id, title and tags. */
typedef struct sp_attr_rule {
    const char *id, *title;
    const char *const *tags;
    size_t ntags;
} sp_attr_rule;

typedef struct sp_attr_opts {
    unsigned top_k;          /* hypotheses "hunt next" separates; 0 = 5 */
    unsigned hunt_next;      /* suggestions; 0 = 10 */
    double unknown_prior;    /* prior of "not in the knowledge base"; 0 = 0.10 */
} sp_attr_opts;

sp_status sp_attr_new(const sp_kb *kb, const sp_attr_opts *opts, sp_attr **out, sp_error *err);
void sp_attr_free(sp_attr *a);
/* The rules loaded for the hunt (copied), so that "hunt next" can name them. */
sp_status sp_attr_set_rules(sp_attr *a, const sp_attr_rule *rules, size_t n);
size_t sp_attr_hypothesis_count(const sp_attr *a);   /* groups + 1 */

typedef enum sp_confidence { SP_CONF_LOW = 1, SP_CONF_MODERATE = 2, SP_CONF_HIGH = 3 } sp_confidence;

/* One piece of evidence as it bears on a hypothesis. */
typedef struct sp_attr_item {
    const char *kind;    /* "technique", "software", "malware", "ip", "country", "asn",
                            "ioc", "infrastructure", "hours", "sector", "victim_country" */
    const char *id;      /* "T1505.003", "S0567", "GREASE2", "175.45.176.27", "bare_ip_c2" */
    const char *name;    /* "Web Shell", "" */
    double weight;       /* > 0 for, < 0 against (natural-log likelihood ratio) */
    const char *why;
} sp_attr_item;

typedef struct sp_hypothesis {
    const char *id;              /* "G0032", "spoor-bianlian", "unknown" */
    const char *name;            /* "Lazarus Group", "an actor not in the knowledge base" */
    const char *cluster;         /* from the profile, "" if none */
    int in_attack, has_profile, is_unknown;
    double likelihood;           /* posterior probability over the hypothesis set */
    double log_odds;             /* sum of the weights (vs an average actor) */
    sp_confidence confidence;
    const char *confidence_word; /* "low", "moderate", "high" */
    const char *likelihood_term; /* ICD 203: "almost no chance" ... "almost certain" */
    const sp_attr_item *for_items; size_t nfor;      /* strongest first */
    const sp_attr_item *against; size_t nagainst;    /* strongest first */
} sp_hypothesis;

typedef struct sp_attr_cluster {
    const char *name;            /* "dprk" */
    double likelihood;           /* sum over its members */
    sp_confidence confidence;
    const char *confidence_word, *likelihood_term;
    const char *const *members;  /* hypothesis ids, best first */
    size_t nmembers;
} sp_attr_cluster;

/* A suggestion of what to look for next. */
typedef struct sp_hunt_next {
    const char *kind;            /* "technique", "software", "malware", "country", "asn", "infrastructure" */
    const char *id, *name;
    double gain;                 /* expected information gain (bits) over the top-k */
    const char *why;             /* which hypotheses it separates */
    const char *const *rules;    /* Sigma rule ids tagged with it */
    const char *const *rule_titles;
    size_t nrules;
} sp_hunt_next;

typedef struct sp_assessment_info {
    size_t techniques, software, malware, ips, countries, asns;  /* evidence used */
    int thin;                    /* <= 3 techniques and nothing else */
    sp_confidence confidence;    /* of the leading hypothesis */
    double ms;                   /* time spent in sp_attr_assess */
} sp_assessment_info;

sp_status sp_attr_assess(const sp_attr *a, const sp_evidence *ev, sp_assessment **out);
void sp_assessment_free(sp_assessment *as);
void sp_assessment_get_info(const sp_assessment *as, sp_assessment_info *out);
size_t sp_assessment_count(const sp_assessment *as);          /* hypotheses, best first */
const sp_hypothesis *sp_assessment_at(const sp_assessment *as, size_t i);
/* The hypothesis of a group (id, name or alias) or "unknown"; NULL if none. */
const sp_hypothesis *sp_assessment_find(const sp_assessment *as, const char *id);
size_t sp_assessment_cluster_count(const sp_assessment *as);
const sp_attr_cluster *sp_assessment_cluster_at(const sp_assessment *as, size_t i);
size_t sp_assessment_next_count(const sp_assessment *as);
const sp_hunt_next *sp_assessment_next_at(const sp_assessment *as, size_t i);
/* Render the first `top` hypotheses (0 = 10): a report for a terminal, or
 * one JSON object {"hypotheses": [...], "clusters": [...], "hunt_next": [...]}.
 * Appended to `out`. */
sp_status sp_assessment_text(const sp_assessment *as, unsigned top, sp_buf *out);
sp_status sp_assessment_json(const sp_assessment *as, unsigned top, sp_buf *out);
const char *sp_confidence_word(sp_confidence c);
/* ICD 203 term for a probability (0..1). */
const char *sp_icd203_term(double p);

#ifdef __cplusplus
}
#endif
#endif /* SPOOR_H */
