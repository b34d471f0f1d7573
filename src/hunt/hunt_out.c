/*
 * hunt_out.c — timeline writers.
 *
 * JSONL: one object per detection; every string escaped (sp_json_escape:
 * control characters and bytes that are not UTF-8 become \u escapes, never
 * raw).  The event itself is JSON already: EVTX events are spoor's own
 * rendering; JSON-lines events are the input line, re-emitted through
 * sp_json_sanitize so raw control bytes or invalid UTF-8 inside its strings
 * are escaped too.
 *
 * CSV (Timeline Explorer, Timesketch): RFC 4180 quoting of every cell;
 * a cell that begins with = + - @ TAB or CR is prefixed with ' (OWASP CSV
 * injection); NUL bytes are written as \0 and invalid UTF-8 as U+FFFD so the
 * file stays text.  `details` holds the event's key fields as "Name: value"
 * pairs joined by " ¦ ", the way Hayabusa shows them.
 */
#include "hunt/hunt_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json/json_event.h"

static void iso_ms(int64_t ms, char *buf, size_t cap)
{
    if (ms == INT64_MIN) { snprintf(buf, cap, "%s", ""); return; }
    int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - s * 1000);
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static void jstr(sp_buf *b, const char *s)
{
    sp_buf_putc(b, '"');
    sp_json_escape(b, s, strlen(s));
    sp_buf_putc(b, '"');
}

static void jkey(sp_buf *b, const char *k, int first)
{
    if (!first) sp_buf_putc(b, ',');
    sp_buf_putc(b, '"');
    sp_buf_put(b, k, strlen(k));
    sp_buf_puts(b, "\":");
}

/* ------------------------------------------------------ IP enrichment */

/* the fields that hold an address, in every source shape spoor reads */
static const char *const ip_fields[] = {
    "IpAddress", "SourceIp", "DestinationIp", "SourceAddress", "DestAddress", "ClientAddress", "Address",
    "c-ip", "s-ip", "id.orig_h", "id.resp_h", "src_ip", "dest_ip", "source.ip", "destination.ip", "client.ip",
    "server.ip", "addr", "rhost",
};
#define MAX_HIT_IPS 8

typedef struct hit_ip { const char *field; char ip[64]; sp_geo_info gi; int have; } hit_ip;

/* The addresses in a detection's event with what is known of them: country,
 * ASN, or the special range.  Returns how many (at most MAX_HIT_IPS). */
static size_t hit_ips(const sp_hunt *h, const sp_hit *x, sp_arena *a, hit_ip *out)
{
    sp_jevent ev;
    char err[64];
    size_t n = 0;
    sp_arena_reset(a);
    if (!x->event_len || sp_jevent_parse(&ev, x->event, x->event_len, a, err, sizeof err)) return 0;
    const sp_geo *geo = hunt_geo(h);
    for (size_t k = 0; k < sizeof ip_fields / sizeof *ip_fields && n < MAX_HIT_IPS; k++) {
        sp_value v;
        if (!sp_jevent_field(&ev, ip_fields[k], strlen(ip_fields[k]), &v, 1) || v.is_null || !v.len || v.len >= 64) continue;
        sp_ioc_type t = sp_ioc_detect(v.str, v.len);
        if (t != SP_IOC_IPV4 && t != SP_IOC_IPV6) continue;
        hit_ip *o = &out[n];
        memcpy(o->ip, v.str, v.len);
        o->ip[v.len] = 0;
        int dup = 0;
        for (size_t q = 0; q < n; q++) dup |= !strcmp(out[q].ip, o->ip);
        if (dup) continue;
        o->field = ip_fields[k];
        memset(&o->gi, 0, sizeof o->gi);
        o->have = geo ? sp_geo_lookup(geo, o->ip, v.len, &o->gi) : 0;
        if (!o->have) {
            const char *sp = sp_ip_special(o->ip, v.len);
            o->gi.special = sp ? sp : "";
        }
        if (!o->gi.special) o->gi.special = "";
        n++;
    }
    return n;
}

static void ips_jsonl(sp_buf *b, const hit_ip *ips, size_t n)
{
    if (!n) return;
    jkey(b, "ips", 0);
    sp_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        const hit_ip *p = &ips[i];
        if (i) sp_buf_putc(b, ',');
        sp_buf_puts(b, "{\"field\":");
        jstr(b, p->field);
        sp_buf_puts(b, ",\"ip\":");
        jstr(b, p->ip);
        sp_buf_puts(b, ",\"country\":");
        jstr(b, p->gi.country);
        sp_buf_printf(b, ",\"asn\":%u,\"as_org\":", p->gi.asn);
        jstr(b, p->gi.as_org);
        sp_buf_puts(b, ",\"special\":");
        jstr(b, p->gi.special);
        sp_buf_putc(b, '}');
    }
    sp_buf_putc(b, ']');
}

static void hit_jsonl(sp_buf *b, const sp_hit *x, const hit_ip *ips, size_t nips)
{
    char t[64];
    const sp_rule_info *r = x->rule;
    sp_buf_putc(b, '{');
    jkey(b, "rule_id", 1); jstr(b, r ? r->id : "");
    jkey(b, "rule_title", 0); jstr(b, r ? r->title : "");
    jkey(b, "level", 0); jstr(b, r ? r->level : "");
    jkey(b, "status", 0); jstr(b, r ? r->status : "");
    jkey(b, "tags", 0);
    sp_buf_putc(b, '[');
    for (size_t i = 0; r && i < r->ntags; i++) { if (i) sp_buf_putc(b, ','); jstr(b, r->tags[i]); }
    sp_buf_putc(b, ']');
    iso_ms(x->time_ms, t, sizeof t);
    jkey(b, "timestamp", 0);
    if (t[0]) jstr(b, t); else sp_buf_puts(b, "null");
    jkey(b, "source", 0); jstr(b, x->source);
    jkey(b, "record_id", 0); sp_buf_put_u64(b, x->record);
    jkey(b, "event_id", 0);
    if (x->has_event_id) sp_buf_put_u64(b, x->event_id); else sp_buf_puts(b, "null");
    jkey(b, "channel", 0); jstr(b, x->channel);
    jkey(b, "host", 0); jstr(b, x->host);
    if (x->recovered) { jkey(b, "recovered", 0); sp_buf_puts(b, "true"); }
    if (x->is_correlation) {
        jkey(b, "correlation", 0);
        sp_buf_puts(b, "{\"type\":");
        jstr(b, r ? r->corr_type : "");
        iso_ms(x->first_ms, t, sizeof t);
        sp_buf_puts(b, ",\"first\":");
        if (t[0]) jstr(b, t); else sp_buf_puts(b, "null");
        sp_buf_puts(b, ",\"count\":");
        sp_buf_put_u64(b, x->count);
        sp_buf_printf(b, ",\"value\":%.17g", x->value);
        sp_buf_puts(b, ",\"group\":");
        jstr(b, x->group);
        sp_buf_putc(b, '}');
    }
    if (x->ioc) {
        const sp_ioc *i = x->ioc;
        jkey(b, "ioc", 0);
        sp_buf_puts(b, "{\"type\":");
        jstr(b, sp_ioc_type_name(i->type));
        sp_buf_puts(b, ",\"value\":");
        jstr(b, i->value);
        sp_buf_puts(b, ",\"id\":");
        jstr(b, i->id);
        sp_buf_puts(b, ",\"source\":");
        jstr(b, i->source);
        sp_buf_puts(b, ",\"name\":");
        jstr(b, i->name ? i->name : "");
        sp_buf_printf(b, ",\"confidence\":%d,\"field\":", i->confidence);
        jstr(b, x->ioc_field);
        sp_buf_puts(b, ",\"observed\":");
        jstr(b, x->ioc_observed);
        sp_buf_puts(b, ",\"links\":[");
        for (size_t k = 0; k < i->nlinks; k++) {
            if (k) sp_buf_putc(b, ',');
            sp_buf_puts(b, "{\"kind\":");
            jstr(b, i->links[k].kind);
            sp_buf_puts(b, ",\"name\":");
            jstr(b, i->links[k].name);
            sp_buf_puts(b, ",\"attack_id\":");
            jstr(b, i->links[k].attack_id);
            sp_buf_putc(b, '}');
        }
        sp_buf_puts(b, "]}");
    }
    ips_jsonl(b, ips, nips);
    jkey(b, "event", 0);
    if (x->event_len) sp_json_sanitize(b, x->event, x->event_len);
    else sp_buf_puts(b, "null");
    sp_buf_puts(b, "}\n");
}

/* ----------------------------------------------------------------- CSV */

static void csv_cell(sp_buf *b, const char *s, size_t n, int first)
{
    if (!first) sp_buf_putc(b, ',');
    sp_buf_putc(b, '"');
    if (n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        sp_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') { sp_buf_puts(b, "\"\""); continue; }
        if (c == 0) { sp_buf_puts(b, "\\0"); continue; }
        if (c >= 0x80) {
            size_t k = sp_utf8_seq_len((const unsigned char *)s + i, n - i);
            if (!k) { sp_buf_puts(b, "\xef\xbf\xbd"); continue; }
            sp_buf_put(b, s + i, k);
            i += k - 1;
            continue;
        }
        sp_buf_putc(b, (char)c);
    }
    sp_buf_putc(b, '"');
}

static void csv_str(sp_buf *b, const char *s, int first) { csv_cell(b, s, strlen(s), first); }

/* the fields shown in `details`, in this order, when the event has them */
static const char *const detail_fields[] = {
    "CommandLine", "Image", "ParentImage", "ParentCommandLine", "User", "TargetUserName",
    "SubjectUserName", "TargetDomainName", "LogonType", "IpAddress", "SourceIp", "DestinationIp",
    "DestinationPort", "DestinationHostname", "QueryName", "TargetFilename", "TargetObject", "Details",
    "ServiceName", "ImagePath", "ScriptBlockText", "PipeName", "Hashes", "GrantedAccess", "TargetImage",
    "ProcessName", "WorkstationName", "ShareName", "RelativeTargetName", "TaskName", "c-ip", "cs-uri-stem",
    "cs-method",
};

static void csv_details(sp_buf *b, const sp_hit *x, sp_arena *a)
{
    sp_buf d;
    sp_buf_init(&d);
    sp_jevent ev;
    char err[64];
    sp_arena_reset(a);
    if (x->event_len && !sp_jevent_parse(&ev, x->event, x->event_len, a, err, sizeof err)) {
        for (size_t k = 0; k < sizeof detail_fields / sizeof *detail_fields; k++) {
            sp_value v;
            const char *nm = detail_fields[k];
            if (!sp_jevent_field(&ev, nm, strlen(nm), &v, 1) || v.is_null || !v.len) continue;
            if (d.len) sp_buf_puts(&d, " \xc2\xa6 ");
            sp_buf_put(&d, nm, strlen(nm));
            sp_buf_puts(&d, ": ");
            sp_buf_put(&d, v.str, v.len > 2000 ? 2000 : v.len);
        }
    }
    csv_cell(b, d.p ? d.p : "", d.len, 0);
    sp_buf_fini(&d);
}

static void hit_csv(sp_buf *b, const sp_hit *x, sp_arena *a, const hit_ip *ips, size_t nips)
{
    char t[64], num[32];
    const sp_rule_info *r = x->rule;
    iso_ms(x->time_ms, t, sizeof t);
    csv_str(b, t, 1);
    csv_str(b, x->is_correlation ? "Correlation" : "Event Recorded", 0);
    csv_str(b, r ? r->title : "", 0);
    csv_str(b, r ? r->id : "", 0);
    csv_str(b, r ? r->level : "", 0);
    csv_str(b, x->host, 0);
    csv_str(b, x->channel, 0);
    if (x->has_event_id) snprintf(num, sizeof num, "%u", x->event_id); else num[0] = 0;
    csv_str(b, num, 0);
    snprintf(num, sizeof num, "%llu", (unsigned long long)x->record);
    csv_str(b, num, 0);
    sp_buf tags;
    sp_buf_init(&tags);
    for (size_t i = 0; r && i < r->ntags; i++) {
        if (i) sp_buf_putc(&tags, ' ');
        sp_buf_put(&tags, r->tags[i], strlen(r->tags[i]));
    }
    csv_cell(b, tags.p ? tags.p : "", tags.len, 0);
    sp_buf_fini(&tags);
    csv_str(b, x->source, 0);
    csv_details(b, x, a);
    /* ip_info: "field=ip CC ASn org" or "field=ip (private)", joined by " ; " */
    sp_buf d;
    sp_buf_init(&d);
    for (size_t i = 0; i < nips; i++) {
        const hit_ip *p = &ips[i];
        if (d.len) sp_buf_puts(&d, " ; ");
        sp_buf_printf(&d, "%s=%s", p->field, p->ip);
        if (p->gi.country[0]) sp_buf_printf(&d, " %s", p->gi.country);
        if (p->gi.asn) sp_buf_printf(&d, " AS%u", p->gi.asn);
        if (p->gi.as_org[0]) sp_buf_printf(&d, " %s", p->gi.as_org);
        if (p->gi.special[0]) sp_buf_printf(&d, " (%s)", p->gi.special);
    }
    csv_cell(b, d.p ? d.p : "", d.len, 0);
    sp_buf_fini(&d);
    sp_buf_puts(b, "\r\n");
}

sp_status sp_hunt_write_timeline_fp(const sp_hunt *h, void *fpv, sp_timeline_fmt fmt, sp_error *err)
{
    FILE *fp = fpv;
    sp_buf b;
    sp_buf_init(&b);
    sp_arena a;
    sp_arena_init(&a, 64 * 1024);
    if (fmt == SP_TL_CSV)
        sp_buf_puts(&b, "datetime,timestamp_desc,message,rule_id,level,host,channel,event_id,record_id,tags,source,details,ip_info\r\n");
    size_t n = sp_hunt_hit_count(h);
    sp_status rc = SP_OK;
    for (size_t i = 0; i < n; i++) {
        sp_hit x;
        sp_hunt_hit(h, i, &x);
        hit_ip ips[MAX_HIT_IPS];
        size_t nips = hit_ips(h, &x, &a, ips);
        if (fmt == SP_TL_CSV) hit_csv(&b, &x, &a, ips, nips);
        else hit_jsonl(&b, &x, ips, nips);
        if (b.len > (1 << 20) || i + 1 == n) {
            if (b.failed || fwrite(b.p, 1, b.len, fp) != b.len) { rc = b.failed ? SP_ERR_NOMEM : SP_ERR_IO; break; }
            sp_buf_reset(&b);
        }
    }
    if (rc == SP_OK && b.len && fwrite(b.p, 1, b.len, fp) != b.len) rc = SP_ERR_IO;
    if (rc == SP_OK && fflush(fp)) rc = SP_ERR_IO;
    if (rc != SP_OK && err) {
        memset(err, 0, sizeof *err);
        err->offset = UINT64_MAX;
        err->sys_errno = errno;
        snprintf(err->msg, sizeof err->msg, "%s", rc == SP_ERR_NOMEM ? "out of memory" : strerror(errno));
    }
    sp_buf_fini(&b);
    sp_arena_fini(&a);
    return rc;
}

sp_status sp_hunt_write_timeline(const sp_hunt *h, const char *path, sp_error *err)
{
    size_t l = strlen(path);
    sp_timeline_fmt fmt = (l >= 4 && !strcasecmp(path + l - 4, ".csv")) ? SP_TL_CSV : SP_TL_JSONL;
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        if (err) {
            memset(err, 0, sizeof *err);
            snprintf(err->file, sizeof err->file, "%s", path);
            err->offset = UINT64_MAX;
            err->sys_errno = errno;
            snprintf(err->msg, sizeof err->msg, "cannot write: %s", strerror(errno));
        }
        return SP_ERR_IO;
    }
    sp_status rc = sp_hunt_write_timeline_fp(h, fp, fmt, err);
    if (fclose(fp) && rc == SP_OK) rc = SP_ERR_IO;
    if (rc != SP_OK && err) snprintf(err->file, sizeof err->file, "%s", path);
    return rc;
}
