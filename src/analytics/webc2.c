/*
 * webc2.c — two analytics the Sigma rules cannot do, because they judge a
 * resource or a destination over the whole evidence, not one event:
 *
 * Web shells.  Every request for a server-side script (jsp, jspx, php, asp,
 * aspx, ashx, asmx, cfm, cgi) is tallied per site and resource: requests,
 * POSTs, distinct clients (with their own first/last seen), response sizes,
 * command-like query strings.  At the end each resource is scored —
 * few clients, POSTs, command-like queries, a first request late in the
 * site's history, erratic response sizes — and those scoring >= 3 are
 * reported with their clients, rarest country first (a country that makes
 * up < 1% of the site's requests, or an ASN < 1% from a country < 10%,
 * is flagged "rare").
 *
 * Bare-IP C2.  Outbound connections from hosts to public addresses (Zeek
 * conn, Sysmon 3 with Initiated) are tallied per (host, destination); the
 * addresses DNS answered (Zeek dns answers, Sysmon 22 QueryResults) are
 * remembered, as are HTTP requests whose Host is an address.  A destination
 * no DNS answer produced is reported with its first/last seen, volume, and
 * beacon regularity: the median interval between connections and the jitter
 * (median absolute deviation / median); >= 6 connections with jitter <= 0.25
 * is called a beacon.
 *
 * Bounded: SP_ANA_MAX_WEB resources, SP_ANA_MAX_FLOWS (host, destination)
 * pairs, SP_ANA_MAX_FLOW_TIMES timestamps per pair, SP_ANA_MAX_CLIENTS
 * clients per resource; past them, counted in `dropped`.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analytics/ana_int.h"

/* ---------------------------------------------------------------- util */

static int public_ip(const char *s)
{
    sp_ioc_type t = sp_ioc_detect(s, strlen(s));
    return (t == SP_IOC_IPV4 || t == SP_IOC_IPV6) && !sp_ip_special(s, strlen(s));
}

static ana_flow *pair_get(ana_store *s, ana_pairs *t, const char *host, const char *dst);

/* ----------------------------------------------------------- web shells */

static int script_ext(const char *stem)
{
    const char *dot = strrchr(stem, '.');
    if (!dot || strchr(dot, '/')) return 0;
    static const char *const ext[] = {".jsp", ".jspx", ".php", ".asp", ".aspx", ".ashx", ".asmx", ".cfm", ".cgi"};
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
        if (!strcasecmp(dot, ext[i])) return 1;
    return 0;
}

static int command_like(const char *q)
{
    static const char *const words[] = {"cmd=", "exec", "whoami", "ipconfig", "/bin/sh", "/bin/bash", "powershell",
                                        "cmd.exe", "net+user", "net%20user", "uname", "passwd", "=id&", "=id"};
    char low[1024];
    size_t n = strlen(q);
    if (n >= sizeof low) n = sizeof low - 1;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)q[i]);
    low[n] = 0;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strstr(low, words[i])) return 1;
    return 0;
}

/* the resource (site, res) or NULL; *h its hash, *j the free slot */
static ana_web *web_probe(const ana_store *s, const char *site, const char *res, uint32_t *h, size_t *j)
{
    char low[1024];   /* resources compare without case (IIS), so hash them lower-cased */
    size_t n = strlen(res) < sizeof low - 1 ? strlen(res) : sizeof low - 1;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)res[i]);
    low[n] = 0;
    *h = ana_hash(low, ana_hash(site, 2166136261u));
    *j = SIZE_MAX;
    for (long k; (k = ana_index_next(&s->webx, *h, j)) >= 0;)
        if (!strcmp(s->web[k].site, site) && !strcasecmp(s->web[k].res, res)) return &s->web[k];
    return NULL;
}

static ana_web *web_find(const ana_store *s, const char *site, const char *res)
{
    uint32_t h;
    size_t j;
    return web_probe(s, site, res, &h, &j);
}

static ana_web *web_get(ana_store *s, const char *site, const char *res)
{
    uint32_t h;
    size_t j;
    if (ana_index_reserve(&s->webx, s->nweb)) return NULL;
    ana_web *found = web_probe(s, site, res, &h, &j);
    if (found) return found;
    if (s->nweb >= SP_ANA_MAX_WEB) { s->dropped++; return NULL; }
    if (s->nweb == s->capweb) {
        size_t nc = s->capweb ? s->capweb * 2 : 64;
        ana_web *n = realloc(s->web, nc * sizeof *n);
        if (!n) return NULL;
        s->web = n;
        s->capweb = nc;
    }
    ana_web *w = &s->web[s->nweb++];
    memset(w, 0, sizeof *w);
    ana_index_set(&s->webx, j, h, s->nweb - 1);
    w->site = ana_dup(s, site, strlen(site));
    w->res = ana_dup(s, res, strlen(res));
    w->first = INT64_MAX;
    w->last = INT64_MIN;
    w->minsz = UINT64_MAX;
    return w;
}

static void client_note(ana_store *s, ana_web *w, const char *ip, int64_t t, uint64_t n)
{
    for (uint32_t i = 0; i < w->nclients; i++)
        if (!strcmp(w->clients[i].ip, ip)) {
            w->clients[i].count += n;
            if (t != INT64_MIN && t < w->clients[i].first) w->clients[i].first = t;
            if (t > w->clients[i].last) w->clients[i].last = t;
            return;
        }
    if (w->nclients >= SP_ANA_MAX_CLIENTS) { w->more_clients++; return; }
    ana_client *c = &w->clients[w->nclients++];
    memset(c, 0, sizeof *c);
    snprintf(c->ip, sizeof c->ip, "%s", ip);
    c->count = n;
    c->first = t == INT64_MIN ? INT64_MAX : t;
    c->last = t;
    (void)s;
}

void ana_web_observe(ana_store *s, const sp_event *e, int64_t t)
{
    char stem[1024], ip[64], site[256], method[16], q[1024], st[8], sz[32];
    if (!ana_text(e, "cs-uri-stem", stem, sizeof stem) || !ana_text(e, "c-ip", ip, sizeof ip)) return;
    if (!ana_text(e, "cs-host", site, sizeof site) && !ana_text(e, "s-ip", site, sizeof site)) snprintf(site, sizeof site, "%s", "-");
    ana_flow *sc = pair_get(s, &s->siteclients, site, ip);
    if (sc) sc->count++;
    ana_web *all = web_get(s, site, "*");   /* a pseudo-resource: the whole site */
    if (all) {
        all->requests++;
        if (t != INT64_MIN && t < all->first) all->first = t;
        if (t > all->last) all->last = t;
    }
    if (!script_ext(stem)) return;
    ana_web *w = web_get(s, site, stem);
    if (!w) return;
    w->requests++;
    if (ana_text(e, "cs-method", method, sizeof method) && !strcasecmp(method, "POST")) w->posts++;
    if (ana_text(e, "cs-uri-query", q, sizeof q) && command_like(q)) w->cmdlike++;
    if (ana_text(e, "sc-status", st, sizeof st) && st[0] == '2') w->ok++;
    if (ana_text(e, "sc-bytes", sz, sizeof sz)) {
        uint64_t b = strtoull(sz, NULL, 10);
        if (b < w->minsz) w->minsz = b;
        if (b > w->maxsz) w->maxsz = b;
    }
    if (t != INT64_MIN && t < w->first) w->first = t;
    if (t > w->last) w->last = t;
    client_note(s, w, ip, t, 1);
}

/* ----------------------------------------------------------------- C2 */

static ana_flow *pair_get(ana_store *s, ana_pairs *t, const char *host, const char *dst)
{
    uint32_t h = ana_hash(dst, ana_hash(host, 2166136261u));
    if (ana_index_reserve(&t->x, t->n)) return NULL;
    size_t j = SIZE_MAX;
    for (long k; (k = ana_index_next(&t->x, h, &j)) >= 0;)
        if (!strcmp(t->v[k].host, host) && !strcmp(t->v[k].dst, dst)) return &t->v[k];
    if (t->n >= SP_ANA_MAX_FLOWS) { s->dropped++; return NULL; }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 128;
        ana_flow *n = realloc(t->v, nc * sizeof *n);
        if (!n) return NULL;
        t->v = n;
        t->cap = nc;
    }
    ana_flow *f = &t->v[t->n++];
    memset(f, 0, sizeof *f);
    f->host = ana_dup(s, host, strlen(host));
    f->dst = ana_dup(s, dst, strlen(dst));
    ana_index_set(&t->x, j, h, t->n - 1);
    return f;
}

static ana_flow *flow_get(ana_store *s, const char *host, const char *dst) { return pair_get(s, &s->flows, host, dst); }

static void pairs_fini(ana_pairs *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->v[i].times);
    free(t->v);
    ana_index_fini(&t->x);
}

void ana_flow_note(ana_store *s, const char *host, const char *dst, int64_t t, uint64_t bytes, int http_ip)
{
    ana_flow *f = flow_get(s, host, dst);
    if (!f) return;
    f->count++;
    f->bytes += bytes;
    f->http_ip |= http_ip;
    if (t == INT64_MIN) return;
    if (f->ntimes == f->captimes) {
        if (f->captimes >= SP_ANA_MAX_FLOW_TIMES) { s->dropped++; return; }
        size_t nc = f->captimes ? f->captimes * 2 : 16;
        int64_t *n = realloc(f->times, nc * sizeof *n);
        if (!n) return;
        f->times = n;
        f->captimes = nc;
    }
    f->times[f->ntimes++] = t;
}

void ana_dns_answer(ana_store *s, const char *ip)
{
    if (!public_ip(ip) || ana_dns_known(s, ip)) return;
    if (s->ndns >= SP_ANA_MAX_FLOWS) { s->dropped++; return; }
    uint32_t h = ana_hash(ip, 2166136261u);
    if (ana_index_reserve(&s->dnsx, s->ndns)) return;
    if (s->ndns == s->capdns) {
        size_t nc = s->capdns ? s->capdns * 2 : 128;
        const char **n = realloc(s->dns, nc * sizeof *n);
        if (!n) return;
        s->dns = n;
        s->capdns = nc;
    }
    size_t j = SIZE_MAX;
    while (ana_index_next(&s->dnsx, h, &j) >= 0) {}   /* to the free slot */
    s->dns[s->ndns] = ana_dup(s, ip, strlen(ip));
    ana_index_set(&s->dnsx, j, h, s->ndns++);
}

int ana_dns_known(const ana_store *s, const char *ip)
{
    uint32_t h = ana_hash(ip, 2166136261u);
    size_t j = SIZE_MAX;
    for (long k; (k = ana_index_next(&s->dnsx, h, &j)) >= 0;)
        if (!strcmp(s->dns[k], ip)) return 1;
    return 0;
}

/* Zeek conn/dns/http and Sysmon 3/22 */
void ana_net_observe(ana_store *s, const sp_event *e, const char *ch, long eid, const char *host, int64_t t)
{
    char a[64], b[64], buf[2048];
    if (ch && !strcasecmp(ch, "Microsoft-Windows-Sysmon/Operational")) {
        if (eid == 3 && ana_text(e, "Initiated", buf, sizeof buf) && !strcasecmp(buf, "true") &&
            ana_text(e, "DestinationIp", b, sizeof b) && public_ip(b))
            ana_flow_note(s, host, b, t, 0, 0);
        else if (eid == 22 && ana_text(e, "QueryResults", buf, sizeof buf)) {
            /* "type:  5 x.example;::ffff:1.2.3.4;1.2.3.5;" */
            char *save = NULL;
            for (char *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
                while (*tok == ' ') tok++;
                if (!strncasecmp(tok, "::ffff:", 7)) tok += 7;
                ana_dns_answer(s, tok);
            }
        }
        return;
    }
    if (ch) return;   /* other Windows channels carry no flows */
    /* Zeek */
    if (!ana_text(e, "id.orig_h", a, sizeof a) || !ana_text(e, "id.resp_h", b, sizeof b)) return;
    sp_value v[64];
    size_t n = e->field ? e->field(e->ev, "answers", 7, v, 64) : 0;
    if (n) {
        for (size_t i = 0; i < n && i < 64; i++) {
            if (v[i].is_null || v[i].len >= sizeof buf) continue;
            memcpy(buf, v[i].str, v[i].len);
            buf[v[i].len] = 0;
            /* a set may also arrive as one comma-joined value */
            char *save = NULL;
            for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) ana_dns_answer(s, tok);
        }
        return;
    }
    if (sp_ip_special(a, strlen(a)) && public_ip(b)) {
        char ob[32], rb[32], hh[256];
        uint64_t bytes = 0;
        if (ana_text(e, "orig_bytes", ob, sizeof ob)) bytes += strtoull(ob, NULL, 10);
        if (ana_text(e, "resp_bytes", rb, sizeof rb)) bytes += strtoull(rb, NULL, 10);
        int http_ip = ana_text(e, "host", hh, sizeof hh) && (sp_ioc_detect(hh, strlen(hh)) == SP_IOC_IPV4 ||
                                                        sp_ioc_detect(hh, strlen(hh)) == SP_IOC_IPV6);
        /* http.log repeats conn.log's connections: only its Host matters */
        if (ana_text(e, "method", hh, sizeof hh) || ana_text(e, "uri", hh, sizeof hh)) {
            if (http_ip) { ana_flow *f = flow_get(s, a, b); if (f) f->http_ip = 1; }
            return;
        }
        /* ssl.log likewise: skip, conn.log has the connection */
        if (ana_text(e, "server_name", hh, sizeof hh) || ana_text(e, "version", hh, sizeof hh)) return;
        ana_flow_note(s, a, b, t, bytes, http_ip);
    }
}

/* ---------------------------------------------------------------- merge */

void ana_webc2_merge(ana_store *d, const ana_store *s)
{
    for (size_t i = 0; i < s->nweb; i++) {
        const ana_web *w = &s->web[i];
        ana_web *t = web_get(d, w->site, w->res);
        if (!t) continue;
        t->requests += w->requests;
        t->posts += w->posts;
        t->cmdlike += w->cmdlike;
        t->ok += w->ok;
        if (w->minsz < t->minsz) t->minsz = w->minsz;
        if (w->maxsz > t->maxsz) t->maxsz = w->maxsz;
        if (w->first < t->first) t->first = w->first;
        if (w->last > t->last) t->last = w->last;
        t->more_clients += w->more_clients;
        for (uint32_t k = 0; k < w->nclients; k++) {
            const ana_client *c = &w->clients[k];
            client_note(d, t, c->ip, c->first == INT64_MAX ? INT64_MIN : c->first, c->count);
            for (uint32_t q = 0; q < t->nclients; q++)
                if (!strcmp(t->clients[q].ip, c->ip) && c->last > t->clients[q].last) t->clients[q].last = c->last;
        }
    }
    for (size_t i = 0; i < s->siteclients.n; i++) {
        const ana_flow *f = &s->siteclients.v[i];
        ana_flow *t = pair_get(d, &d->siteclients, f->host, f->dst);
        if (t) t->count += f->count;
    }
    for (size_t i = 0; i < s->flows.n; i++) {
        const ana_flow *f = &s->flows.v[i];
        ana_flow *t = flow_get(d, f->host, f->dst);
        if (!t) continue;
        t->count += f->count;
        t->bytes += f->bytes;
        t->http_ip |= f->http_ip;
        for (size_t k = 0; k < f->ntimes; k++) {
            if (t->ntimes == t->captimes) {
                if (t->captimes >= SP_ANA_MAX_FLOW_TIMES) break;
                size_t nc = t->captimes ? t->captimes * 2 : 16;
                int64_t *n = realloc(t->times, nc * sizeof *n);
                if (!n) break;
                t->times = n;
                t->captimes = nc;
            }
            t->times[t->ntimes++] = f->times[k];
        }
    }
    for (size_t i = 0; i < s->ndns; i++) ana_dns_answer(d, s->dns[i]);
}

/* --------------------------------------------------------------- finish */

static int cmp_client(const void *x, const void *y)
{
    const sp_web_client *a = x, *b = y;
    int fa = a->rare || a->actor[0] || a->profile[0], fb = b->rare || b->actor[0] || b->profile[0];
    if (fa != fb) return fa ? -1 : 1;
    if (a->rare != b->rare) return a->rare ? -1 : 1;
    if (a->count != b->count) return a->count < b->count ? -1 : 1;
    return strcmp(a->ip, b->ip);
}

static int cmp_ws(const void *x, const void *y)
{
    const sp_webshell *a = x, *b = y;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->requests != b->requests) return a->requests > b->requests ? -1 : 1;
    int c = strcmp(a->site, b->site);
    return c ? c : strcmp(a->resource, b->resource);
}

static int cmp_c2(const void *x, const void *y)
{
    const sp_c2_row *a = x, *b = y;
    if (a->beacon != b->beacon) return a->beacon ? -1 : 1;
    if (a->http_host_ip != b->http_host_ip) return a->http_host_ip ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    int c = strcmp(a->dst, b->dst);
    return c ? c : strcmp(a->host, b->host);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int cmp_dbl(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct { char cc[4]; uint64_t n; } cc_count;

static void geo_of(const sp_geo *geo, const char *ip, char cc[4], uint32_t *asn)
{
    sp_geo_info gi;
    cc[0] = 0;
    if (asn) *asn = 0;
    if (geo && sp_geo_lookup(geo, ip, strlen(ip), &gi)) {
        memcpy(cc, gi.country, 4);
        cc[3] = 0;
        if (asn) *asn = gi.asn;
    }
}

/* the actor (or campaign, or malware) an indicator links an address to */
static const char *ioc_actor(const struct sp_intel *intel, const char *ip)
{
    sp_ioc_hit hits[8];
    if (!intel) return "";
    sp_ioc_type t = sp_ioc_detect(ip, strlen(ip));
    size_t n = sp_intel_lookup(intel, t, ip, strlen(ip), hits, 8);
    const char *best = "";
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < hits[i].ioc->nlinks; k++) {
            const sp_ioc_link *l = &hits[i].ioc->links[k];
            if (!l->name[0]) continue;
            if (!strcmp(l->kind, "intrusion-set") || !strcmp(l->kind, "threat-actor")) return l->name;
            if (!best[0]) best = l->name;
        }
    return best;
}

/* the first actor profile whose origin ASN (preferred) or origin country
 * holds the address: "Lazarus Group (AS131279)", "Kimsuky (KP)"; "" none.
 * A country alone counts only when it is rare for the site (`by_country`):
 * half the world's hosting is in a country some profile names. */
static const char *profile_actor(ana_store *s, const struct sp_kb *kb, const char *cc, uint32_t asn, int by_country)
{
    if (!kb || (!cc[0] && !asn)) return "";
    if (!by_country) cc = "";
    size_t n = sp_kb_count(kb, SP_KB_GROUP);
    const sp_kb_object *by_cc = NULL;
    for (size_t i = 0; i < n; i++) {
        const sp_kb_object *g = sp_kb_object_at(kb, SP_KB_GROUP, i);
        const sp_kb_profile *p = g ? g->profile : NULL;
        if (!p) continue;
        for (size_t k = 0; asn && k < p->nasns; k++)
            if (p->asns[k] == asn) {
                char b[192];
                snprintf(b, sizeof b, "%s (AS%u)", p->name[0] ? p->name : g->name, asn);
                return ana_dup(s, b, strlen(b));
            }
        for (size_t k = 0; !by_cc && cc[0] && k < p->ncountries; k++)
            if (!strcasecmp(p->countries[k], cc)) by_cc = g;
    }
    if (!by_cc) return "";
    char b[192];
    snprintf(b, sizeof b, "%s (%s)", by_cc->profile->name[0] ? by_cc->profile->name : by_cc->name, cc);
    return ana_dup(s, b, strlen(b));
}

static void web_finish(ana_store *s, const sp_geo *geo, const struct sp_intel *intel, const struct sp_kb *kb)
{
    /* requests per site: in all, by country ("CC:KP") and by ASN ("AS:131279") */
    ana_pairs agg = {0};
    for (size_t i = 0; geo && i < s->siteclients.n; i++) {
        const ana_flow *f = &s->siteclients.v[i];
        char c[4], key[24];
        uint32_t asn;
        geo_of(geo, f->dst, c, &asn);
        ana_flow *t = pair_get(s, &agg, f->host, "*");
        if (t) t->count += f->count;
        if (c[0]) {
            snprintf(key, sizeof key, "CC:%s", c);
            if ((t = pair_get(s, &agg, f->host, key))) t->count += f->count;
        }
        if (asn) {
            snprintf(key, sizeof key, "AS:%u", asn);
            if ((t = pair_get(s, &agg, f->host, key))) t->count += f->count;
        }
    }
    size_t nshell = 0, nclient = 0;
    for (size_t i = 0; i < s->nweb; i++) nclient += s->web[i].nclients;
    s->ws = calloc(s->nweb ? s->nweb : 1, sizeof *s->ws);
    s->wcl = calloc(nclient ? nclient : 1, sizeof *s->wcl);
    if (!s->ws || !s->wcl) { pairs_fini(&agg); return; }
    size_t used = 0;
    for (size_t i = 0; i < s->nweb; i++) {
        ana_web *w = &s->web[i];
        if (!strcmp(w->res, "*")) continue;
        const ana_web *site = web_find(s, w->site, "*");
        int score = 0;
        char why[512];
        size_t wl = 0;
        why[0] = 0;
#define WHY(...) do { if (wl < sizeof why) wl += (size_t)snprintf(why + wl, sizeof why - wl, __VA_ARGS__); } while (0)
        uint64_t nc = w->nclients + w->more_clients;
        if (nc <= 3) { score++; WHY("%s%llu client%s", wl ? "; " : "", (unsigned long long)nc, nc == 1 ? "" : "s"); }
        if (w->posts && w->posts * 2 >= w->requests) { score++; WHY("%s%llu of %llu requests POST", wl ? "; " : "", (unsigned long long)w->posts, (unsigned long long)w->requests); }
        if (w->cmdlike) { score += 2; WHY("%s%llu command-like quer%s", wl ? "; " : "", (unsigned long long)w->cmdlike, w->cmdlike == 1 ? "y" : "ies"); }
        if (site && site->last > site->first && w->first != INT64_MAX &&
            w->first - site->first > (site->last - site->first) / 4 && site->last - site->first > 86400000) {
            score++;
            WHY("%sfirst requested %.1f days into the site's log", wl ? "; " : "", (double)(w->first - site->first) / 86400000.0);
        }
        if (w->requests >= 3 && w->minsz != UINT64_MAX && w->maxsz > 4 * w->minsz + 256) {
            score++;
            WHY("%sresponses %llu-%llu bytes", wl ? "; " : "", (unsigned long long)w->minsz, (unsigned long long)w->maxsz);
        }
        sp_web_client *cl = s->wcl + used;
        int rare = 0, linked = 0, profiled = 0;
        const char *who = "", *pwho = "";
        for (uint32_t k = 0; k < w->nclients; k++) {
            sp_web_client *c = &cl[k];
            c->ip = ana_dup(s, w->clients[k].ip, strlen(w->clients[k].ip));
            c->count = w->clients[k].count;
            c->first_ms = w->clients[k].first == INT64_MAX ? INT64_MIN : w->clients[k].first;
            c->last_ms = w->clients[k].last;
            uint32_t asn;
            geo_of(geo, c->ip, c->country, &asn);
            /* rare for the site: its country < 1% of the site's requests, or
             * its ASN < 1% while its country is < 10% (a lone ISP of a
             * common country is not news) */
            ana_flow *all = geo ? pair_get(s, &agg, w->site, "*") : NULL;
            if (all && all->count >= 100) {
                char key[24];
                uint64_t ncc = 0, nas = 0;
                ana_flow *t;
                snprintf(key, sizeof key, "CC:%s", c->country);
                if (c->country[0] && (t = pair_get(s, &agg, w->site, key))) ncc = t->count;
                snprintf(key, sizeof key, "AS:%u", asn);
                if (asn && (t = pair_get(s, &agg, w->site, key))) nas = t->count;
                if (c->country[0] && ncc * 100 < all->count) c->rare |= 1;
                if (asn && nas * 100 < all->count && ncc * 10 < all->count) c->rare |= 2;
                if (c->rare) rare = 1;
            }
            c->actor = ioc_actor(intel, c->ip);
            c->profile = profile_actor(s, kb, c->country, asn, c->rare & 1);
            if (c->actor[0] && !linked) { linked = 1; who = c->actor; }
            if (c->profile[0] && !profiled) { profiled = 1; pwho = c->profile; }
        }
        if (rare) { score++; WHY("%sa client from a country or network rare for the site", wl ? "; " : ""); }
        if (linked) { score++; WHY("%sa client an indicator links to %s", wl ? "; " : "", who); }
        if (profiled) { score++; WHY("%sa client from the origin of %s", wl ? "; " : "", pwho); }
#undef WHY
        if (score < 3) continue;
        qsort(cl, w->nclients, sizeof *cl, cmp_client);
        used += w->nclients;
        sp_webshell *o = &s->ws[nshell++];
        o->site = w->site;
        o->resource = w->res;
        o->score = score;
        o->why = ana_dup(s, why, strlen(why));
        o->requests = w->requests;
        o->posts = w->posts;
        o->cmdlike = w->cmdlike;
        o->first_ms = w->first == INT64_MAX ? INT64_MIN : w->first;
        o->last_ms = w->last;
        o->clients = cl;
        o->nclients = w->nclients;
        o->more_clients = w->more_clients;
        for (uint32_t k = 0; k < w->nclients; k++) {
            sp_ip_row *r = ana_ip_find(s, cl[k].ip);
            if (r) r->roles |= SP_IPROLE_WEB_SHELL_CLIENT;
        }
    }
    s->nws = nshell;
    if (nshell) qsort(s->ws, nshell, sizeof *s->ws, cmp_ws);
    pairs_fini(&agg);
}

static void c2_finish(ana_store *s, const sp_geo *geo)
{
    size_t n = 0;
    s->c2 = calloc(s->flows.n ? s->flows.n : 1, sizeof *s->c2);
    if (!s->c2) return;
    for (size_t i = 0; i < s->flows.n; i++) {
        ana_flow *f = &s->flows.v[i];
        if (ana_dns_known(s, f->dst)) continue;
        sp_c2_row *o = &s->c2[n++];
        o->host = f->host;
        o->dst = f->dst;
        o->count = f->count;
        o->bytes = f->bytes;
        o->http_host_ip = f->http_ip;
        o->first_ms = INT64_MIN;
        o->last_ms = INT64_MIN;
        geo_of(geo, f->dst, o->country, &o->asn);
        if (!f->ntimes) continue;
        qsort(f->times, f->ntimes, sizeof *f->times, cmp_i64);
        o->first_ms = f->times[0];
        o->last_ms = f->times[f->ntimes - 1];
        if (f->ntimes < 2) continue;
        double *iv = malloc((f->ntimes - 1) * sizeof *iv);
        if (!iv) continue;
        size_t m = 0;
        for (size_t k = 1; k < f->ntimes; k++)
            if (f->times[k] > f->times[k - 1]) iv[m++] = (double)(f->times[k] - f->times[k - 1]) / 1000.0;
        if (m) {
            double med = median(iv, m);
            for (size_t k = 0; k < m; k++) iv[k] = fabs(iv[k] - med);
            double mad = median(iv, m);
            o->median_interval_s = med;
            o->jitter = med > 0 ? mad / med : 0;
            o->beacon = m + 1 >= 6 && med > 0 && o->jitter <= 0.25;
        }
        free(iv);
        if (o->beacon || o->http_host_ip) {
            sp_ip_row *r = ana_ip_find(s, f->dst);
            if (r) r->roles |= SP_IPROLE_C2;
        }
    }
    s->nc2 = n;
    if (n) qsort(s->c2, n, sizeof *s->c2, cmp_c2);
}

void ana_webc2_finish(ana_store *s, const sp_geo *geo, const struct sp_intel *intel, const struct sp_kb *kb)
{
    web_finish(s, geo, intel, kb);
    c2_finish(s, geo);
}

void ana_webc2_fini(ana_store *s)
{
    free(s->web);
    pairs_fini(&s->flows);
    pairs_fini(&s->siteclients);
    free(s->dns);
    ana_index_fini(&s->dnsx);
    ana_index_fini(&s->webx);
    free(s->ws);
    free(s->wcl);
    free(s->c2);
}
