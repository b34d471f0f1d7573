/*
 * logs.h — line-oriented evidence logs as events for the Sigma matcher and
 * for timelines: web server access logs, Zeek logs, Linux auth/syslog and
 * auditd.  docs/logs.md describes every format, field name and decision.
 *
 *   logs_core.c    detection, state, the field table, sp_event view, JSON
 *   logs_web.c     Apache/nginx combined and common (optional vhost prefix,
 *                  Jetty/Zimbra trailing latency and X-Forwarded-For), IIS W3C
 *   logs_zeek.c    Zeek TSV (#-headers) and Zeek JSON
 *   logs_linux.c   syslog lines (auth.log, secure; BSD and RFC 3339 stamps)
 *                  and auditd records
 *
 * Use:   fmt = sp_log_detect(first bytes of the file)
 *        st  = sp_logstate_new(fmt, path)    (one per file: headers, year)
 *        per line: sp_arena_reset(a); r = sp_log_parse(st, line, len, a, &ev, err, cap)
 *          r == 1  an event: sp_event_from_log(&sev, &ev) -> sp_scanner_match_event
 *          r == 0  not an event (blank, comment, header: the state was updated)
 *          r == -1 malformed: err names the column or byte offset
 *        sp_logstate_free(st)
 *
 * Field values are the log's bytes verbatim (nothing URL-decoded or
 * unescaped, so rules match what the log holds), except: auditd hex-encoded
 * values are decoded as `ausearch -i` does, IIS `+` in cs(User-Agent) becomes
 * a space, and empty markers (`-` in web logs, Zeek's unset field) become
 * null values.  Events point into the line and into the arena: valid until
 * the arena is reset and while the line is unchanged.  A state is used by
 * one thread at a time; lines of one file must be fed in order only for the
 * header-driven formats (Zeek TSV, IIS) and for syslog year inference.
 */
#ifndef SP_LOGS_H
#define SP_LOGS_H

#include <stddef.h>
#include <stdint.h>
#include "spoor.h"
#include "base/arena.h"
#include "sigma/sigma_event.h"

/* which line format a file holds, judged from its first lines (content, not the name) */
typedef enum {
    SP_LOG_NONE = 0,
    SP_LOG_WEB_COMBINED,    /* NCSA combined (+vhost, +Jetty/Zimbra trailing fields) */
    SP_LOG_WEB_COMMON,      /* NCSA common */
    SP_LOG_WEB_IIS_W3C,     /* W3C extended (#Fields) */
    SP_LOG_ZEEK_TSV,
    SP_LOG_ZEEK_JSON,
    SP_LOG_LINUX_AUTH,      /* syslog lines: auth.log, secure, messages */
    SP_LOG_LINUX_AUDIT,     /* auditd audit.log */
    SP_LOG__COUNT
} sp_logfmt;

/* "web_combined", "zeek_tsv", ... ("none" for SP_LOG_NONE) */
const char *sp_logfmt_name(sp_logfmt f);
/* the inverse (for --format options); SP_LOG_NONE if unknown */
sp_logfmt sp_logfmt_from_name(const char *name);

/* head = the first bytes of the file (a few KiB are plenty). */
sp_logfmt sp_log_detect(const char *head, size_t n);
/* Whether one JSON line is a Zeek log entry (keys "ts" and "uid" or
 * "id.orig_h"), so a JSON-lines reader can route it here. */
int sp_log_is_zeek_json(const char *line, size_t n);

/* One named value.  Several entries may share a name (Zeek sets/vectors). */
typedef struct sp_logfield {
    const char *name;
    const char *val;        /* not NUL-terminated; "" for null */
    uint32_t name_len, val_len;
    uint8_t is_null;        /* "-" (web), unset (Zeek), (null) (auditd) */
} sp_logfield;

typedef struct sp_logevent {
    sp_logfmt fmt;
    sp_logfield *f;
    uint32_t n, cap;
    int64_t time_ms;        /* UTC ms since 1970, INT64_MIN when unknown */
    const char *product, *category, *service;   /* Sigma logsource (NULL = none) */
    const char *source;     /* the state's source name (may be "") */
    const char *line;       /* the line parsed (borrowed) */
    size_t line_len;
} sp_logevent;

typedef struct sp_logstate sp_logstate;

/* source_name: the file name (used in events, for the Zeek log path when a
 * file has no #path, and to tell auth.log from syslog); may be NULL. */
sp_logstate *sp_logstate_new(sp_logfmt f, const char *source_name);
void sp_logstate_free(sp_logstate *st);
/* Syslog BSD timestamps carry no year: each gets the year that puts it at
 * or before this reference time (+1 day of slack) — pass the file's mtime;
 * default: the time the state was made.  A Dec -> Jan rollover thus lands
 * in the right years. */
void sp_logstate_set_ref_time(sp_logstate *st, int64_t unix_ms);
/* Offset of local time from UTC (minutes) for time stamps that carry no
 * zone (BSD syslog); default 0 (taken as UTC). */
void sp_logstate_set_tz_offset(sp_logstate *st, int minutes);
sp_logfmt sp_logstate_format(const sp_logstate *st);

/* Parse one line (without or with its line end) into an event; memory from
 * `a`.  Returns 1 event, 0 not an event (blank/comment/header: state
 * updated), -1 malformed (reason in err, naming the column or offset). */
int sp_log_parse(sp_logstate *st, const char *line, size_t len, sp_arena *a,
                 sp_logevent *ev, char *err, size_t errcap);

/* the matcher's view (no allocation; ev must outlive the match) */
void sp_event_from_log(sp_event *out, const sp_logevent *ev);
/* lookup by exact name, as sp_record_field: returns how many, fills up to max */
size_t sp_logevent_field(const sp_logevent *ev, const char *name, size_t len, sp_value *vals, size_t max);
/* the event as one JSON object on one line (appended): "_time", "_format",
 * "_product"/"_category"/"_service", "_source", then the fields in order
 * (repeated names as arrays, nulls as null); every string escaped. */
void sp_logevent_json(const sp_logevent *ev, sp_buf *out);

/* ---- internal (shared by the logs_*.c files) ---- */
struct sp_logstate {
    sp_logfmt fmt;
    char *source;               /* "" when none */
    int64_t ref_ms;             /* syslog year reference */
    int tz_min;
    const char *def_service;    /* syslog: "auth" or "syslog" */
    /* header-defined columns (Zeek #fields, IIS #Fields) */
    char *hdr;                  /* owned copy of the names, NUL-separated */
    const char **col;           /* column names */
    uint32_t *col_len;
    uint8_t *col_kind;          /* Zeek: 1 = set/vector, 2 = time; IIS: 1 = user agent */
    uint32_t ncol;
    int ts_col;                 /* Zeek: column of "ts"; -1 */
    /* Zeek */
    char sep, set_sep;
    char empty[32], unset[32];
    char path[64];              /* #path, or from the file name; "" unknown */
    /* IIS */
    char date[16];              /* #Date's date "YYYY-MM-DD" */
    int date_col, time_col;
};

enum { LOGF_UA = 1, LOGF_SET = 1, LOGF_TIME = 2 };

/* logs_core.c */
int lg_begin(sp_logevent *ev, sp_logstate *st, const char *line, size_t len);
/* add a field (name must outlive the event: a literal, the line, the state or the arena) */
int lg_add(sp_logevent *ev, sp_arena *a, const char *name, size_t nl, const char *v, size_t vl, int is_null);
int lg_adds(sp_logevent *ev, sp_arena *a, const char *name, const char *v, size_t vl);
int lg_err(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int lg_month(const char *s);            /* "Jan" -> 1 .. 12, 0 if not */
int lg_digits(const char *s, size_t n, size_t at, size_t k, int *out);
size_t lg_fmt_date(int64_t ms, char *buf);   /* "YYYY-MM-DD" (10) */
size_t lg_fmt_time(int64_t ms, char *buf);   /* "HH:MM:SS" (8) */
int lg_header_cols(sp_logstate *st, const char *names, size_t len, char sep);
/* logs_web.c */
int lg_web_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap);
int lg_iis_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap);
int lg_web_probe(const char *l, size_t n);          /* 0 no, 1 common, 2 combined */
/* logs_zeek.c */
int lg_zeek_tsv_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap);
int lg_zeek_json_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap);
void lg_zeek_path_from_name(sp_logstate *st);
/* logs_linux.c */
int lg_syslog_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap);
int lg_audit_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap);
int lg_syslog_probe(const char *l, size_t n);
int lg_audit_probe(const char *l, size_t n);

#endif
