/* sigma_corr.c — correlation windows (stub) */
#include "sigma/sigma.h"
int sg_corr_init(sp_scanner *sc) { (void)sc; return 0; }
void sg_corr_fini(sp_scanner *sc) { (void)sc; }
int sg_corr_feed(sp_scanner *sc, uint32_t rule, sp_detect_fn fn, void *user, int depth) { (void)sc; (void)rule; (void)fn; (void)user; (void)depth; return 0; }
int sg_corr_flush(sp_scanner *sc, sp_detect_fn fn, void *user) { (void)sc; (void)fn; (void)user; return 0; }
