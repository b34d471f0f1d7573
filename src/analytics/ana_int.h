/*
 * ana_int.h — the collectors' shared store (internal to src/analytics).  A
 * worker and the merged whole have the same shape; see analytics.h.
 */
#ifndef SP_ANA_INT_H
#define SP_ANA_INT_H

#include "analytics/analytics.h"

/* index.c: the hash index of every table here.  Probe: j = SIZE_MAX, then
 * ana_index_next until it returns -1 (j is then the free slot; reserve
 * before probing when you may insert). */
typedef struct ana_index { uint32_t *slot, *hash; size_t cap; } ana_index;
uint32_t ana_hash(const char *s, uint32_t h);      /* FNV-1a with a separator; start at 2166136261u */
int ana_index_reserve(ana_index *x, size_t n);      /* room for item n; -1 no memory */
long ana_index_next(const ana_index *x, uint32_t h, size_t *j);
void ana_index_set(ana_index *x, size_t j, uint32_t h, size_t item);
void ana_index_fini(ana_index *x);

typedef struct ana_act { int64_t t; uint32_t source; uint64_t record; } ana_act;
#define act ana_act

typedef struct ana_client { char ip[64]; uint64_t count; int64_t first, last; } ana_client;

/* one server-side script (or, with res "*", a whole site) */
typedef struct ana_web {
    const char *site, *res;
    uint64_t requests, posts, cmdlike, ok, minsz, maxsz;
    int64_t first, last;
    ana_client clients[SP_ANA_MAX_CLIENTS];
    uint32_t nclients;
    uint64_t more_clients;
} ana_web;

/* one (host, public destination) pair */
typedef struct ana_flow {
    const char *host, *dst;
    uint64_t count, bytes;
    int http_ip;
    int64_t *times;
    size_t ntimes, captimes;
} ana_flow;

/* a table of (a, b) string pairs */
typedef struct ana_pairs {
    ana_flow *v;
    size_t n, cap;
    ana_index x;
} ana_pairs;

typedef struct ana_store {
    sp_arena ar;
    sp_logon_row *rows;
    size_t nrows, caprows;
    ana_index rowx;
    sp_account_change *ch;
    size_t nch, capch;
    ana_act *act;
    size_t nact, capact;
    sp_ip_row *ips;
    size_t nips, capips;
    ana_index ipx;
    ana_web *web;
    size_t nweb, capweb;
    ana_index webx;
    ana_pairs flows;           /* (host, public destination) */
    ana_pairs siteclients;     /* (site, client address): requests, for rarity per site */
    const char **dns;          /* addresses DNS answered: a set */
    size_t ndns, capdns;
    ana_index dnsx;
    sp_webshell *ws;           /* results, after finish (the whole only) */
    sp_web_client *wcl;
    size_t nws;
    sp_c2_row *c2;
    size_t nc2;
    uint64_t dropped;
} ana_store;

const char *ana_dup(ana_store *s, const char *p, size_t n);
/* a field as text, cut at cap - 1; "-" (logs' "none") is empty.  Returns
 * whether it is non-empty. */
int ana_text(const sp_event *e, const char *name, char *buf, size_t cap);
void ana_ip_note(ana_store *s, const char *ip, unsigned role, const char *host, int64_t t);
sp_ip_row *ana_ip_find(ana_store *s, const char *ip);
void ana_ips_observe(ana_store *s, const sp_event *e, const char *ch, long eid, const char *host, int64_t t);
void ana_web_observe(ana_store *s, const sp_event *e, int64_t t);
void ana_net_observe(ana_store *s, const sp_event *e, const char *ch, long eid, const char *host, int64_t t);
void ana_webc2_merge(ana_store *d, const ana_store *s);
void ana_webc2_finish(ana_store *s, const sp_geo *geo, const struct sp_intel *intel, const struct sp_kb *kb);   /* before the IP table is sorted */
void ana_webc2_fini(ana_store *s);
void ana_flow_note(ana_store *s, const char *host, const char *dst, int64_t t, uint64_t bytes, int http_ip);
void ana_dns_answer(ana_store *s, const char *ip);
int ana_dns_known(const ana_store *s, const char *ip);
void ana_ips_observe_other(ana_store *s, const sp_event *e, int64_t t);

#endif
