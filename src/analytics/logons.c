/*
 * logons.c — the logon summary collectors and the activity record (see
 * analytics.h).  Reads Windows events through the sp_event interface, so
 * EVTX and every JSON shape work alike.
 */
#include "analytics/analytics.h"
#include "analytics/ana_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sp_ana_worker { ana_store s; };
struct sp_ana { ana_store s; sp_hours hours; int finished; };

static void store_init(ana_store *s) { memset(s, 0, sizeof *s); sp_arena_init(&s->ar, 64 * 1024); }
static void store_fini(ana_store *s)
{
    ana_webc2_fini(s);
    free(s->ips);
    ana_index_fini(&s->ipx);
    sp_arena_fini(&s->ar);
    free(s->rows);
    ana_index_fini(&s->rowx);
    free(s->ch);
    free(s->act);
}

sp_ana_worker *sp_ana_worker_new(void)
{
    sp_ana_worker *w = malloc(sizeof *w);
    if (w) store_init(&w->s);
    return w;
}
void sp_ana_worker_free(sp_ana_worker *w) { if (w) { store_fini(&w->s); free(w); } }
sp_ana *sp_ana_new(void)
{
    sp_ana *a = calloc(1, sizeof *a);
    if (a) store_init(&a->s);
    return a;
}
void sp_ana_free(sp_ana *a) { if (a) { store_fini(&a->s); free(a); } }

const char *ana_dup(ana_store *s, const char *p, size_t n)
{
    char *d = sp_arena_alloc(&s->ar, n + 1);
    if (!d) return "";
    if (n) memcpy(d, p, n);
    d[n] = 0;
    return d;
}

static sp_logon_row *row_get(ana_store *s, const char *acct, const char *type, const char *ip, const char *host)
{
    uint32_t h = ana_hash(host, ana_hash(ip, ana_hash(type, ana_hash(acct, 2166136261u))));
    if (ana_index_reserve(&s->rowx, s->nrows)) return NULL;
    size_t j = SIZE_MAX;
    for (long k; (k = ana_index_next(&s->rowx, h, &j)) >= 0;) {
        sp_logon_row *r = &s->rows[k];
        if (!strcmp(r->account, acct) && !strcmp(r->logon_type, type) && !strcmp(r->source_ip, ip) && !strcmp(r->host, host))
            return r;
    }
    if (s->nrows >= SP_ANA_MAX_LOGON_KEYS) { s->dropped++; return NULL; }
    if (s->nrows == s->caprows) {
        size_t nc = s->caprows ? s->caprows * 2 : 128;
        sp_logon_row *nr = realloc(s->rows, nc * sizeof *nr);
        if (!nr) return NULL;
        s->rows = nr;
        s->caprows = nc;
    }
    sp_logon_row *r = &s->rows[s->nrows++];
    memset(r, 0, sizeof *r);
    r->account = ana_dup(s, acct, strlen(acct));
    r->logon_type = ana_dup(s, type, strlen(type));
    r->source_ip = ana_dup(s, ip, strlen(ip));
    r->host = ana_dup(s, host, strlen(host));
    r->first_ms = INT64_MAX;
    r->last_ms = INT64_MIN;
    ana_index_set(&s->rowx, j, h, s->nrows - 1);
    return r;
}

static void row_add(ana_store *s, const char *acct, const char *type, const char *ip, const char *host,
                    int ok, int64_t t, uint64_t n)
{
    sp_logon_row *r = row_get(s, acct, type, ip, host);
    if (!r) return;
    if (ok) r->success += n; else r->failure += n;
    if (t != INT64_MIN) {
        if (t < r->first_ms) r->first_ms = t;
        if (t > r->last_ms) r->last_ms = t;
    }
}

static void add_activity(ana_store *s, int64_t t, uint32_t source, uint64_t record)
{
    if (t == INT64_MIN) return;
    /* one event's detections come together: keep one (finish keeps one per
     * (source, record) anyway) */
    if (s->nact && s->act[s->nact - 1].record == record && s->act[s->nact - 1].source == source &&
        s->act[s->nact - 1].t <= t) return;
    if (s->nact >= SP_ANA_MAX_ACTIVITY) { s->dropped++; return; }
    if (s->nact == s->capact) {
        size_t nc = s->capact ? s->capact * 2 : 1024;
        act *na = realloc(s->act, nc * sizeof *na);
        if (!na) return;
        s->act = na;
        s->capact = nc;
    }
    s->act[s->nact++] = (act){t, source, record};
}

static void add_change(ana_store *s, int64_t t, const char *host, uint32_t eid, const char *what,
                       const char *acct, const char *group, const char *by, uint32_t source, uint64_t record)
{
    if (s->nch >= SP_ANA_MAX_CHANGES) { s->dropped++; return; }
    if (s->nch == s->capch) {
        size_t nc = s->capch ? s->capch * 2 : 64;
        sp_account_change *n = realloc(s->ch, nc * sizeof *n);
        if (!n) return;
        s->ch = n;
        s->capch = nc;
    }
    s->ch[s->nch++] = (sp_account_change){t, ana_dup(s, host, strlen(host)), eid, what, ana_dup(s, acct, strlen(acct)),
                                          ana_dup(s, group, strlen(group)), ana_dup(s, by, strlen(by)), source, record};
}

/* ------------------------------------------------------------ observe */

/* a field's first value as text into buf ("" when absent or "-") */
int ana_text(const sp_event *ev, const char *name, char *buf, size_t cap)
{
    sp_value v;
    buf[0] = 0;
    if (!ev->field || !ev->field(ev->ev, name, strlen(name), &v, 1) || v.is_null) return 0;
    size_t n = v.len < cap - 1 ? v.len : cap - 1;
    memcpy(buf, v.str, n);
    buf[n] = 0;
    if (!strcmp(buf, "-")) buf[0] = 0;
    return buf[0] != 0;
}

static const char *txt(const sp_event *ev, const char *name, char *buf, size_t cap)
{
    ana_text(ev, name, buf, cap);
    return buf;
}

static long num(const sp_event *ev, const char *name)
{
    sp_value v;
    if (!ev->field || !ev->field(ev->ev, name, strlen(name), &v, 1) || v.is_null) return -1;
    if (v.is_int) return (long)v.i;
    char b[24];
    size_t n = v.len < sizeof b - 1 ? v.len : sizeof b - 1;
    memcpy(b, v.str, n);
    b[n] = 0;
    char *e;
    long x = strtol(b, &e, 10);
    return e == b ? -1 : x;
}

static const char *logon_type_name(long t)
{
    switch (t) {
    case 2: return "2 (Interactive)";
    case 3: return "3 (Network)";
    case 4: return "4 (Batch)";
    case 5: return "5 (Service)";
    case 7: return "7 (Unlock)";
    case 8: return "8 (NetworkCleartext)";
    case 9: return "9 (NewCredentials)";
    case 10: return "10 (RemoteInteractive/RDP)";
    case 11: return "11 (CachedInteractive)";
    default: return "other";
    }
}

static void account(char *out, size_t cap, const char *dom, const char *user)
{
    if (dom[0] && user[0] && !strchr(user, '\\')) snprintf(out, cap, "%s\\%s", dom, user);
    else snprintf(out, cap, "%s", user);
}

/* The Windows event ids any view here reads (logons and account changes
 * below, IPs in ips.c, flows and DNS in webc2.c: each of them tests for one
 * of these first).  Most events are none of them and are done with before
 * their host is read or their channel compared (the SigmaHQ hunt of the
 * 64 MB bench file spent 8% of its time here, most of it on such events). */
static int eid_observed(long eid)
{
    switch (eid) {
    case 3: case 21: case 22: case 25: case 1149:                       /* Sysmon, RDP */
    case 4624: case 4625:                                              /* logons */
    case 4720: case 4722: case 4724: case 4725: case 4726: case 4738:  /* accounts */
    case 4728: case 4729: case 4732: case 4733: case 4756: case 4757:  /* groups */
        return 1;
    default:
        return 0;
    }
}

void sp_ana_observe(sp_ana_worker *w, const sp_event *e, uint32_t source, uint64_t record)
{
    ana_store *s = &w->s;
    char ch[128], host[256], user[256], dom[256], acct[520], ip[64], grp[256], by[520], sub[256], sdom[256];
    int64_t t = e->time_unix_ms ? e->time_unix_ms(e->ev) : INT64_MIN;
    txt(e, "Channel", ch, sizeof ch);
    if (!ch[0]) {
        ana_ips_observe_other(s, e, t);
        ana_web_observe(s, e, t);
        ana_net_observe(s, e, NULL, -1, NULL, t);
        return;
    }
    long eid = num(e, "EventID");
    if (eid < 0 || !eid_observed(eid)) return;
    txt(e, "Computer", host, sizeof host);
    ana_ips_observe(s, e, ch, eid, host, t);
    ana_net_observe(s, e, ch, eid, host, t);
    if (!strcasecmp(ch, "Security")) {
        switch (eid) {
        case 4624: case 4625: {
            txt(e, "TargetUserName", user, sizeof user);
            if (!user[0] || user[strlen(user) - 1] == '$') return;   /* machine accounts: noise */
            txt(e, "TargetDomainName", dom, sizeof dom);
            account(acct, sizeof acct, dom, user);
            txt(e, "IpAddress", ip, sizeof ip);
            long lt = num(e, "LogonType");
            row_add(s, acct, logon_type_name(lt), ip, host, eid == 4624, t, 1);
            if (eid == 4624 && (lt == 2 || lt == 10 || lt == 11)) add_activity(s, t, source, record);
            return;
        }
        case 4720: case 4722: case 4724: case 4725: case 4726: case 4738:
        case 4728: case 4732: case 4756: case 4729: case 4733: case 4757: {
            const char *what =
                eid == 4720 ? "account created" : eid == 4722 ? "account enabled" :
                eid == 4724 ? "password reset" : eid == 4725 ? "account disabled" :
                eid == 4726 ? "account deleted" : eid == 4738 ? "account changed" :
                (eid == 4728 || eid == 4732 || eid == 4756) ? "added to group" : "removed from group";
            int grp_ev = eid >= 4728 && eid != 4738;
            txt(e, "TargetUserName", user, sizeof user);
            txt(e, "TargetDomainName", dom, sizeof dom);
            txt(e, "SubjectUserName", sub, sizeof sub);
            txt(e, "SubjectDomainName", sdom, sizeof sdom);
            account(by, sizeof by, sdom, sub);
            if (grp_ev) {
                char mem[256];
                txt(e, "MemberName", mem, sizeof mem);
                if (!mem[0]) txt(e, "MemberSid", mem, sizeof mem);
                snprintf(grp, sizeof grp, "%s", user);
                add_change(s, t, host, (uint32_t)eid, what, mem, grp, by, source, record);
            } else {
                account(acct, sizeof acct, dom, user);
                add_change(s, t, host, (uint32_t)eid, what, acct, "", by, source, record);
            }
            add_activity(s, t, source, record);
            return;
        }
        default:
            return;
        }
    }
    if (!strcasecmp(ch, "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational") && eid == 1149) {
        txt(e, "Param1", user, sizeof user);
        txt(e, "Param2", dom, sizeof dom);
        txt(e, "Param3", ip, sizeof ip);
        account(acct, sizeof acct, dom, user);
        row_add(s, acct, "RDP authentication (1149)", ip, host, 1, t, 1);
        add_activity(s, t, source, record);
        return;
    }
    if (!strcasecmp(ch, "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational") &&
        (eid == 21 || eid == 25)) {
        txt(e, "User", acct, sizeof acct);
        txt(e, "Address", ip, sizeof ip);
        row_add(s, acct, eid == 21 ? "RDP session logon (21)" : "RDP session reconnect (25)", ip, host, 1, t, 1);
        add_activity(s, t, source, record);
    }
}

void sp_ana_activity(sp_ana_worker *w, int64_t time_ms, uint32_t source, uint64_t record)
{
    add_activity(&w->s, time_ms, source, record);
}

/* ------------------------------------------------------------- merge */

int sp_ana_merge(sp_ana *a, const sp_ana_worker *w)
{
    ana_store *d = &a->s;
    const ana_store *s = &w->s;
    for (size_t i = 0; i < s->nrows; i++) {
        const sp_logon_row *r = &s->rows[i];
        sp_logon_row *t = row_get(d, r->account, r->logon_type, r->source_ip, r->host);
        if (!t) continue;
        t->success += r->success;
        t->failure += r->failure;
        if (r->first_ms < t->first_ms) t->first_ms = r->first_ms;
        if (r->last_ms > t->last_ms) t->last_ms = r->last_ms;
    }
    for (size_t i = 0; i < s->nch; i++) {
        const sp_account_change *c = &s->ch[i];
        add_change(d, c->time_ms, c->host, c->event_id, c->what, c->account, c->group, c->by, c->source, c->record);
    }
    for (size_t i = 0; i < s->nact; i++) add_activity(d, s->act[i].t, s->act[i].source, s->act[i].record);
    for (size_t i = 0; i < s->nips; i++) {
        const sp_ip_row *r = &s->ips[i];
        for (uint64_t k = 0; k < 1; k++) ana_ip_note(d, r->ip, r->roles, r->host, r->first_ms == INT64_MAX ? INT64_MIN : r->first_ms);
        /* ana_ip_note counted one: add the rest and widen the time range */
        sp_ip_row *t = ana_ip_find(d, r->ip);
        if (t) {
            t->count += r->count - 1;
            if (r->last_ms > t->last_ms) t->last_ms = r->last_ms;
        }
    }
    ana_webc2_merge(d, s);
    d->dropped += s->dropped;
    return 0;
}

static int cmp_row(const void *x, const void *y)
{
    const sp_logon_row *a = x, *b = y;
    uint64_t na = a->success + a->failure, nb = b->success + b->failure;
    if (na != nb) return na > nb ? -1 : 1;
    int c = strcmp(a->account, b->account);
    if (c) return c;
    if ((c = strcmp(a->logon_type, b->logon_type))) return c;
    if ((c = strcmp(a->source_ip, b->source_ip))) return c;
    return strcmp(a->host, b->host);
}

static int cmp_change(const void *x, const void *y)
{
    const sp_account_change *a = x, *b = y;
    if (a->time_ms != b->time_ms) return a->time_ms < b->time_ms ? -1 : 1;
    if (a->source != b->source) return a->source < b->source ? -1 : 1;
    if (a->record != b->record) return a->record < b->record ? -1 : 1;
    return strcmp(a->what, b->what);
}

static int cmp_act(const void *x, const void *y)
{
    const act *a = x, *b = y;
    if (a->source != b->source) return a->source < b->source ? -1 : 1;
    if (a->record != b->record) return a->record < b->record ? -1 : 1;
    return (a->t > b->t) - (a->t < b->t);
}

static int cmp_ip(const void *x, const void *y)
{
    const sp_ip_row *a = x, *b = y;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return strcmp(a->ip, b->ip);
}

/* Sort activity by (source, record, time): a natural merge sort, typed.
 * Activity arrives in runs already in order (each worker's store in chunk
 * order on logs whose record ids rise, the stores one after another, the
 * detections' activity last); the runs are merged pairwise.  On the 64 MB
 * bench file (record ids of many logs: ~3,100 entries in ~220 runs) qsort
 * spent 2.7 M instructions, half of sp_hunt_finish; this, with an event's
 * repeats dropped as they arrive, ~1 M.  Without memory for the runs and a
 * copy: qsort. */
static void act_sort(act *v, size_t n)
{
    if (n < 2) return;
    size_t *run = malloc((n + 1) * sizeof *run), nr = 1;
    act *tmp = run ? malloc(n * sizeof *tmp) : NULL;
    if (!tmp) { free(run); qsort(v, n, sizeof *v, cmp_act); return; }
    run[0] = 0;
    for (size_t i = 1; i < n; i++)
        if (cmp_act(&v[i - 1], &v[i]) > 0) run[nr++] = i;
    run[nr] = n;
    while (nr > 1) {
        size_t out = 0;
        for (size_t k = 0; k < nr; k += 2) {
            size_t lo = run[k];
            if (k + 1 < nr) {  /* merge [lo, mid) and [mid, hi); equal keys: the left one first */
                size_t mid = run[k + 1], hi = run[k + 2], i = lo, j = mid, o = lo;
                while (i < mid && j < hi) tmp[o++] = cmp_act(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
                while (i < mid) tmp[o++] = v[i++];
                while (j < hi) tmp[o++] = v[j++];
                memcpy(v + lo, tmp + lo, (hi - lo) * sizeof *v);
            }
            run[out++] = lo;   /* a lone last run stays as it is */
        }
        run[out] = n;
        nr = out;
    }
    free(tmp);
    free(run);
}

void sp_ana_finish(sp_ana *a, const sp_geo *geo, const struct sp_intel *intel, const struct sp_kb *kb)
{
    ana_store *s = &a->s;
    if (a->finished) return;
    a->finished = 1;
    for (size_t i = 0; i < s->nips; i++) {
        sp_ip_row *r = &s->ips[i];
        if (r->first_ms == INT64_MAX) r->first_ms = INT64_MIN;
        sp_geo_info gi;
        if (geo && sp_geo_lookup(geo, r->ip, strlen(r->ip), &gi)) {
            memcpy(r->country, gi.country, sizeof r->country);
            r->asn = gi.asn;
            memcpy(r->as_org, gi.as_org, sizeof r->as_org);
        }
    }
    ana_webc2_finish(s, geo, intel, kb);   /* marks IP roles: before the table is sorted */
    if (s->nips) qsort(s->ips, s->nips, sizeof *s->ips, cmp_ip);
    if (s->nrows) qsort(s->rows, s->nrows, sizeof *s->rows, cmp_row);
    /* the index points at old positions: it is not used after finish */
    if (s->nch) qsort(s->ch, s->nch, sizeof *s->ch, cmp_change);
    /* activity: one count per (source, record) */
    memset(&a->hours, 0, sizeof a->hours);
    act_sort(s->act, s->nact);
    for (size_t i = 0; i < s->nact; i++) {
        if (i && s->act[i].source == s->act[i - 1].source && s->act[i].record == s->act[i - 1].record) continue;
        int64_t sec = s->act[i].t / 1000;
        int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
        int wd = (int)(((days % 7) + 7 + 3) % 7);          /* 1970-01-01 was a Thursday; Monday = 0 */
        int hr = (int)((sec - days * 86400) / 3600);
        a->hours.by_hour_utc[wd][hr]++;
        a->hours.n++;
    }
    sp_hours_fit(&a->hours);
}

size_t sp_ana_logon_count(const sp_ana *a) { return a->s.nrows; }

size_t sp_ana_web_count(const sp_ana *a) { return a->s.nweb; }
const sp_logon_row *sp_ana_logon(const sp_ana *a, size_t i) { return i < a->s.nrows ? &a->s.rows[i] : NULL; }
size_t sp_ana_change_count(const sp_ana *a) { return a->s.nch; }
const sp_account_change *sp_ana_change(const sp_ana *a, size_t i) { return i < a->s.nch ? &a->s.ch[i] : NULL; }
void sp_ana_hours(const sp_ana *a, sp_hours *out) { *out = a->hours; }

size_t sp_ana_ip_count(const sp_ana *a) { return a->s.nips; }
const sp_ip_row *sp_ana_ip(const sp_ana *a, size_t i) { return i < a->s.nips ? &a->s.ips[i] : NULL; }
size_t sp_ana_webshell_count(const sp_ana *a) { return a->s.nws; }
const sp_webshell *sp_ana_webshell(const sp_ana *a, size_t i) { return i < a->s.nws ? &a->s.ws[i] : NULL; }
size_t sp_ana_c2_count(const sp_ana *a) { return a->s.nc2; }
const sp_c2_row *sp_ana_c2(const sp_ana *a, size_t i) { return i < a->s.nc2 ? &a->s.c2[i] : NULL; }
