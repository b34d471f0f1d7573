/*
 * logs_zeek.c — Zeek logs as Sigma `product: zeek` events, service = the
 * log's path (conn, dns, http, ssl, ...).
 *
 * TSV (Zeek's ASCII writer): header lines "#separator \x09", "#set_separator",
 * "#empty_field", "#unset_field", "#path", "#fields", "#types", "#open",
 * "#close"; any log with a #fields header is read generically.  The unset
 * marker makes the field absent (as Zeek's JSON writer omits it); the empty
 * marker is "" (a null for set/vector columns); set/vector columns give one
 * value per element.  Values are otherwise kept verbatim (Zeek's \xHH
 * escapes are not decoded).
 *
 * JSON (one object per line): keys as written ("id.orig_h"; nested {"id":
 * {"orig_h":..}} reads the same); arrays give one value per element.
 *
 * `ts` (epoch seconds with fraction, or ISO 8601) is the event time.  The
 * path comes from #path, else a "_path" key, else the file name (conn.log,
 * dns.00:00:00-01:00:00.log), else is guessed from the field names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"
#include "base/limits.h"
#include "json/json.h"

static const char *const zeek_logs[] = {
    "conn", "dns", "http", "ssl", "x509", "files", "notice", "weird", "smtp", "ssh", "ftp", "dhcp", "rdp",
    "smb_files", "smb_mapping", "dce_rpc", "kerberos", "ntlm", "software", "tunnel", "pe", "sip", "snmp",
    "radius", "dpd", "known_hosts", "known_services", "known_certs", "capture_loss", "stats", "syslog",
    "modbus", "dnp3", "mysql", "irc", "socks", "ocsp", "reporter", "loaded_scripts", "packet_filter",
    "intel", "signatures", "traceroute", "ntp", "quic", "websocket", NULL,
};

static const char *known_path(const char *s, size_t n)
{
    for (int i = 0; zeek_logs[i]; i++)
        if (strlen(zeek_logs[i]) == n && !memcmp(zeek_logs[i], s, n)) return zeek_logs[i];
    return NULL;
}

void lg_zeek_path_from_name(sp_logstate *st)
{
    const char *b = strrchr(st->source, '/');
    b = b ? b + 1 : st->source;
    size_t n = strcspn(b, ".");
    const char *k = known_path(b, n);
    if (k) snprintf(st->path, sizeof st->path, "%s", k);
}

typedef int (*has_fn)(const void *ctx, const char *name);

static int st_has(const void *ctx, const char *name)
{
    const sp_logstate *st = ctx;
    size_t l = strlen(name);
    for (uint32_t i = 0; i < st->ncol; i++)
        if (st->col_len[i] == l && !memcmp(st->col[i], name, l)) return 1;
    return 0;
}

static int ev_has(const void *ctx, const char *name)
{
    return sp_logevent_field(ctx, name, strlen(name), NULL, 0) > 0;
}

/* the log's path from its field names, when nothing names it */
static const char *guess(has_fn has, const void *c)
{
    if (has(c, "query") && (has(c, "qtype") || has(c, "qtype_name") || has(c, "rcode") || has(c, "answers"))) return "dns";
    if (has(c, "method") && (has(c, "uri") || has(c, "host"))) return "http";
    if (has(c, "server_name") || (has(c, "cipher") && has(c, "version"))) return "ssl";
    if (has(c, "conn_state") || (has(c, "history") && has(c, "proto"))) return "conn";
    if (has(c, "certificate.subject")) return "x509";
    if (has(c, "fuid") && has(c, "mime_type")) return "files";
    if (has(c, "request_type") && has(c, "client")) return "kerberos";
    if (has(c, "endpoint") && has(c, "operation")) return "dce_rpc";
    if (has(c, "auth_success") && has(c, "client")) return "ssh";
    if (has(c, "security_protocol") || (has(c, "cookie") && has(c, "result"))) return "rdp";
    if (has(c, "action") && has(c, "path") && has(c, "name")) return "smb_files";
    if (has(c, "note") && has(c, "msg")) return "notice";
    if (has(c, "name") && has(c, "addl")) return "weird";
    return NULL;
}

/* "1658000000.123456" -> ms; ISO 8601 too */
static int zeek_ts(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int64_t sec = 0, ms = 0;
    if (!n) return -1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (i >= 12) return -1; /* 1e12 s is year 33658; keeps sec*1000 in range */
        sec = sec * 10 + (s[i] - '0');
    }
    if (i == 0) return -1;
    if (i < n && (s[i] == '-' || s[i] == 'T')) return sp_parse_iso_ms(s, n, out);
    if (i < n && s[i] == '.') {
        int k = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
            if (k < 3) ms = ms * 10 + (s[i] - '0');
        for (; k < 3; k++) ms *= 10;
    }
    if (i != n) {
        /* exponent forms (1.6e9) from some JSON writers */
        if (s[i] == 'e' || s[i] == 'E') {
            char b[64];
            if (n >= sizeof b) return -1;
            memcpy(b, s, n);
            b[n] = 0;
            double d = strtod(b, NULL);
            if (!(d > 0 && d < 1e13)) return -1;
            *out = (int64_t)(d * 1000.0);
            return 0;
        }
        return -1;
    }
    *out = sec * 1000 + ms;
    return 0;
}

/* the value of a "#key<sep>value" header line */
static void hdr_value(const char *l, size_t n, size_t klen, char sep, char *dst, size_t cap)
{
    size_t p = klen;
    if (p < n && (l[p] == sep || l[p] == ' ' || l[p] == '\t')) p++;
    size_t vl = n - p < cap - 1 ? n - p : cap - 1;
    memcpy(dst, l + p, vl);
    dst[vl] = 0;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "\x09" -> '\t'; a plain character as is */
static char sep_char(const char *v)
{
    if (v[0] == '\\' && v[1] == 'x' && hexv(v[2]) >= 0 && hexv(v[3]) >= 0) return (char)(hexv(v[2]) * 16 + hexv(v[3]));
    return v[0] ? v[0] : '\t';
}

static int is_key(const char *l, size_t n, const char *k, char sep)
{
    size_t kl = strlen(k);
    return n >= kl && !memcmp(l, k, kl) && (n == kl || l[kl] == sep || l[kl] == ' ' || l[kl] == '\t');
}

static int tsv_header(sp_logstate *st, const char *l, size_t n, char *err, size_t cap)
{
    char v[64];
    if (is_key(l, n, "#separator", ' ')) {
        hdr_value(l, n, 10, ' ', v, sizeof v);
        st->sep = sep_char(v);
    } else if (is_key(l, n, "#set_separator", st->sep)) {
        hdr_value(l, n, 14, st->sep, v, sizeof v);
        st->set_sep = sep_char(v);
    } else if (is_key(l, n, "#empty_field", st->sep)) {
        hdr_value(l, n, 12, st->sep, st->empty, sizeof st->empty);
    } else if (is_key(l, n, "#unset_field", st->sep)) {
        hdr_value(l, n, 12, st->sep, st->unset, sizeof st->unset);
    } else if (is_key(l, n, "#path", st->sep)) {
        hdr_value(l, n, 5, st->sep, st->path, sizeof st->path);
    } else if (is_key(l, n, "#fields", st->sep)) {
        size_t p = n > 7 ? 8 : 7;
        if (lg_header_cols(st, l + p, n - p, st->sep))
            return lg_err(err, cap, "#fields: too many columns or too long (limits %u, %u bytes)", SP_LOG_MAX_FIELDS, SP_LOG_MAX_HEADER);
        for (uint32_t i = 0; i < st->ncol; i++)
            if (st->col_len[i] == 2 && !memcmp(st->col[i], "ts", 2)) { st->ts_col = (int)i; st->col_kind[i] = LOGF_TIME; }
        if (!st->path[0]) {
            const char *g = guess(st_has, st);
            if (g) snprintf(st->path, sizeof st->path, "%s", g);
        }
    } else if (is_key(l, n, "#types", st->sep)) {
        size_t p = n > 6 ? 7 : 6;
        uint32_t c = 0;
        while (p <= n && c < st->ncol) {
            size_t s = p;
            while (p < n && l[p] != st->sep) p++;
            if ((p - s >= 4 && !memcmp(l + s, "set[", 4)) || (p - s >= 7 && !memcmp(l + s, "vector[", 7)))
                st->col_kind[c] = LOGF_SET;
            c++;
            p++;
        }
    }
    return 0;
}

int lg_zeek_tsv_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap)
{
    if (l[0] == '#') return tsv_header(st, l, n, err, cap);
    ev->product = "zeek";
    ev->service = st->path[0] ? st->path : NULL;
    if (!st->ncol) return lg_err(err, cap, "offset 0: data before any #fields header");
    size_t ul = strlen(st->unset), el = strlen(st->empty);
    uint32_t col = 0;
    size_t p = 0;
    for (;;) {
        size_t s = p;
        while (p < n && l[p] != st->sep) p++;
        if (col >= st->ncol)
            return lg_err(err, cap, "offset %zu: more values than the %u #fields columns", s, st->ncol);
        const char *v = l + s;
        size_t vl = p - s;
        const char *nm = st->col[col];
        uint32_t nl = st->col_len[col];
        if (vl == ul && !memcmp(v, st->unset, ul)) {
            /* unset: absent */
        } else if (vl == el && !memcmp(v, st->empty, el)) {
            if (lg_add(ev, a, nm, nl, "", 0, st->col_kind[col] == LOGF_SET)) return -1;
        } else if (st->col_kind[col] == LOGF_SET) {
            size_t q = 0;
            for (;;) {
                size_t b = q;
                while (q < vl && v[q] != st->set_sep) q++;
                if (lg_add(ev, a, nm, nl, v + b, q - b, 0)) return -1;
                if (q >= vl) break;
                q++;
            }
        } else {
            if (lg_add(ev, a, nm, nl, v, vl, 0)) return -1;
            if ((int)col == st->ts_col) {
                int64_t ms;
                if (zeek_ts(v, vl, &ms)) return lg_err(err, cap, "column %u (ts): not a time stamp", col + 1);
                ev->time_ms = ms;
            }
        }
        col++;
        if (p >= n) break;
        p++;
    }
    if (col != st->ncol) return lg_err(err, cap, "%u values for %u #fields columns", col, st->ncol);
    return 1;
}

int lg_zeek_json_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap)
{
    ev->product = "zeek";
    sp_jdoc doc;
    if (sp_json_parse(l, n, a, &doc, err, cap)) return -1;
    if (!doc.top_is_object) return lg_err(err, cap, "offset 0: not a JSON object");
    const char *path = NULL;
    for (uint32_t i = 0; i < doc.n; i++) {
        const sp_jleaf *f = &doc.leaves[i];
        const char *v = f->val;
        size_t vl = f->val_len;
        int null = 0;
        switch (f->type) {
        case SP_J_TRUE: v = "true", vl = 4; break;
        case SP_J_FALSE: v = "false", vl = 5; break;
        case SP_J_NULL:
        case SP_J_EMPTY_ARR:
        case SP_J_EMPTY_OBJ: null = 1; break;
        default: break;
        }
        if (lg_add(ev, a, f->path, f->path_len, v, vl, null)) return -1;
        if (f->path_len == 2 && !memcmp(f->path, "ts", 2) && (f->type == SP_J_NUM || f->type == SP_J_STR)) {
            int64_t ms;
            if (zeek_ts(v, vl, &ms)) return lg_err(err, cap, "field ts: not a time stamp");
            ev->time_ms = ms;
        }
        if (f->path_len == 5 && !memcmp(f->path, "_path", 5) && f->type == SP_J_STR) {
            char *c = sp_arena_alloc(a, vl + 1);
            if (!c) return -1;
            memcpy(c, v, vl);
            c[vl] = 0;
            path = c;
        }
    }
    ev->service = path ? path : st->path[0] ? st->path : guess(ev_has, ev);
    return 1;
}
