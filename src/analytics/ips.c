/*
 * ips.c — the external (public) IP addresses the evidence shows talking to
 * the hosts, with the role they played, for the summary, the geo/ASN
 * enrichment and attribution ("countries and ASNs that reached the hosts").
 *
 *   logon_source   IpAddress of 4624/4625, Param3 of RDP 1149, Address of
 *                  LocalSessionManager 21/25
 *   inbound        the remote end of a connection the host accepted
 *                  (Sysmon 3 with Initiated false; Zeek conn to an internal
 *                  responder)
 *   outbound       the remote end of a connection the host opened
 *   web_client     c-ip of a web server log line
 * Private, loopback and other special-purpose addresses are left out
 * (sp_ip_special).
 */
#include "analytics/analytics.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analytics/ana_int.h"

static int ip_text(const sp_event *e, const char *name, char *buf, size_t cap)
{
    if (!ana_text(e, name, buf, cap)) return 0;
    /* "::ffff:1.2.3.4" and "[v6]" forms */
    if (!strncasecmp(buf, "::ffff:", 7) && strchr(buf + 7, '.')) memmove(buf, buf + 7, strlen(buf + 7) + 1);
    if (buf[0] == '[') {
        char *r = strchr(buf, ']');
        if (r) { *r = 0; memmove(buf, buf + 1, strlen(buf + 1) + 1); }
    }
    if (!strcmp(buf, "-") || !buf[0]) return 0;
    if (sp_ioc_detect(buf, strlen(buf)) != SP_IOC_IPV4 && sp_ioc_detect(buf, strlen(buf)) != SP_IOC_IPV6) return 0;
    return sp_ip_special(buf, strlen(buf)) == NULL;
}

void ana_ip_note(ana_store *s, const char *ip, unsigned role, const char *host, int64_t t)
{
    uint32_t h = ana_hash(ip, 2166136261u);
    if (ana_index_reserve(&s->ipx, s->nips)) return;
    size_t j = SIZE_MAX;
    for (long k; (k = ana_index_next(&s->ipx, h, &j)) >= 0;) {
        sp_ip_row *r = &s->ips[k];
        if (!strcmp(r->ip, ip)) {
            r->count++;
            r->roles |= role;
            if (t != INT64_MIN && t < r->first_ms) r->first_ms = t;
            if (t != INT64_MIN && t > r->last_ms) r->last_ms = t;
            return;
        }
    }
    if (s->nips >= SP_ANA_MAX_IPS) { s->dropped++; return; }
    if (s->nips == s->capips) {
        size_t nc = s->capips ? s->capips * 2 : 128;
        sp_ip_row *n = realloc(s->ips, nc * sizeof *n);
        if (!n) return;
        s->ips = n;
        s->capips = nc;
    }
    sp_ip_row *r = &s->ips[s->nips++];
    memset(r, 0, sizeof *r);
    r->ip = ana_dup(s, ip, strlen(ip));
    r->host = ana_dup(s, host, strlen(host));
    r->roles = role;
    r->count = 1;
    r->first_ms = t == INT64_MIN ? INT64_MAX : t;
    r->last_ms = t;
    ana_index_set(&s->ipx, j, h, s->nips - 1);
}

sp_ip_row *ana_ip_find(ana_store *s, const char *ip)
{
    uint32_t h = ana_hash(ip, 2166136261u);
    size_t j = SIZE_MAX;
    for (long k; (k = ana_index_next(&s->ipx, h, &j)) >= 0;)
        if (!strcmp(s->ips[k].ip, ip)) return &s->ips[k];
    return NULL;
}

/* called by sp_ana_observe for every event */
void ana_ips_observe(ana_store *s, const sp_event *e, const char *ch, long eid, const char *host, int64_t t)
{
    char ip[64];
    int sec = !strcasecmp(ch, "Security");
    if (sec && (eid == 4624 || eid == 4625) && ip_text(e, "IpAddress", ip, sizeof ip))
        ana_ip_note(s, ip, SP_IPROLE_LOGON_SOURCE, host, t);
    else if (eid == 1149 && ip_text(e, "Param3", ip, sizeof ip))
        ana_ip_note(s, ip, SP_IPROLE_LOGON_SOURCE, host, t);
    else if ((eid == 21 || eid == 25) && ip_text(e, "Address", ip, sizeof ip))
        ana_ip_note(s, ip, SP_IPROLE_LOGON_SOURCE, host, t);
    else if (eid == 3 && !strcasecmp(ch, "Microsoft-Windows-Sysmon/Operational")) {
        char init[8];
        sp_value v;
        init[0] = 0;
        if (e->field && e->field(e->ev, "Initiated", 9, &v, 1) && v.len < sizeof init) { memcpy(init, v.str, v.len); init[v.len] = 0; }
        int out = !strcasecmp(init, "true");
        if (out && ip_text(e, "DestinationIp", ip, sizeof ip)) ana_ip_note(s, ip, SP_IPROLE_OUTBOUND, host, t);
        else if (!out && ip_text(e, "SourceIp", ip, sizeof ip)) ana_ip_note(s, ip, SP_IPROLE_INBOUND, host, t);
    }
}

/* non-Windows events: web clients, Zeek connections */
void ana_ips_observe_other(ana_store *s, const sp_event *e, int64_t t)
{
    char ip[64], host[64];
    if (ip_text(e, "c-ip", ip, sizeof ip)) {
        if (!ip_text(e, "s-ip", host, sizeof host)) host[0] = 0;
        ana_ip_note(s, ip, SP_IPROLE_WEB_CLIENT, host, t);
        return;
    }
    char o[64], r[64];
    sp_value v;
    int has_o = e->field && e->field(e->ev, "id.orig_h", 9, &v, 1) && v.len < sizeof o;
    if (has_o) { memcpy(o, v.str, v.len); o[v.len] = 0; }
    if (has_o && ip_text(e, "id.resp_h", r, sizeof r)) ana_ip_note(s, r, SP_IPROLE_OUTBOUND, o, t);
    else if (has_o && ip_text(e, "id.orig_h", r, sizeof r)) {
        char resp[64];
        resp[0] = 0;
        if (e->field(e->ev, "id.resp_h", 9, &v, 1) && v.len < sizeof resp) { memcpy(resp, v.str, v.len); resp[v.len] = 0; }
        ana_ip_note(s, r, SP_IPROLE_INBOUND, resp, t);
    }
}
