/*
 * ana_int.h — the collectors' shared store (internal to src/analytics).  A
 * worker and the merged whole have the same shape; see analytics.h.
 */
#ifndef SP_ANA_INT_H
#define SP_ANA_INT_H

#include "analytics/analytics.h"

typedef struct ana_act { int64_t t; uint32_t source; uint64_t record; } ana_act;
#define act ana_act

typedef struct ana_store {
    sp_arena ar;
    sp_logon_row *rows;
    size_t nrows, caprows;
    uint32_t *idx;             /* open addressing over rows; 0 empty, else row+1 */
    uint32_t *ihash;
    size_t icap;
    sp_account_change *ch;
    size_t nch, capch;
    ana_act *act;
    size_t nact, capact;
    sp_ip_row *ips;
    size_t nips, capips;
    uint32_t *ipidx;           /* open addressing over ips; 0 empty, else row+1 */
    size_t ipcap;
    uint64_t dropped;
} ana_store;

const char *ana_dup(ana_store *s, const char *p, size_t n);
void ana_ip_note(ana_store *s, const char *ip, unsigned role, const char *host, int64_t t);
sp_ip_row *ana_ip_find(ana_store *s, const char *ip);
void ana_ips_observe(ana_store *s, const sp_event *e, const char *ch, long eid, const char *host, int64_t t);
void ana_ips_observe_other(ana_store *s, const sp_event *e, int64_t t);

#endif
