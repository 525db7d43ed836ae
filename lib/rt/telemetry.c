/* telemetry.c - /tcpe/ commands for dpdk-telemetry.py: counters from the same descriptor table as every other view. */
#include "telemetry.h"

#include "port.h"
#include "stats_view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_rwlock.h>
#include <rte_telemetry.h>

#include "dpdk_compat.h"

/** What the commands show; set once at start, cleared before the workers go. */
struct tel_view {
	struct worker **workers;
	unsigned int n;
	const struct tcpe_config *cfg;
};

/*
 * See telemetry.h: 22.11 callbacks take no context, so the view is file-scope. Callbacks run on
 * DPDK's telemetry thread and hold the lock's read side while they use the workers;
 * telemetry_fini() takes the write side, so no callback is inside when the workers go.
 */
static struct tel_view *view;
static struct tel_view the_view;
static rte_rwlock_t view_lock = RTE_RWLOCK_INITIALIZER;

static struct tel_view *
view_get(void)
{
	struct tel_view *v;

	rte_rwlock_read_lock(&view_lock);
	v = view;
	if (v == NULL)
		rte_rwlock_read_unlock(&view_lock);
	return v;
}

static void
view_put(void)
{
	rte_rwlock_read_unlock(&view_lock);
}

static struct tcpe_stats *
snapshot(const struct tel_view *v)
{
	struct tcpe_stats *s = calloc(v->n + 1, sizeof(*s));

	if (s != NULL)
		stats_snapshot(v->workers, v->n, s);
	return s;
}

/*
 * Whether counter @p c is one of /tcpe/stats': all but the drops by reason, which /tcpe/drops
 * has (and "drops" their sum). A telemetry dict holds RTE_TEL_MAX_DICT_ENTRIES (256) entries
 * and drops what goes beyond it silently; with its 76 drop reasons tcpe has more counters.
 */
static bool
in_stats(const struct tcpe_stat_desc *c)
{
	return strncmp(c->name, "drop_", 5) != 0;
}

/* A dict of every counter of one snapshot (in_stats()), and the sum of the drops. */
static struct rte_tel_data *
counters(const struct tcpe_stats *st)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < tcpe_stat_ndescs; i++)
		if (in_stats(&tcpe_stat_descs[i]))
			rte_tel_data_add_dict_uint(d, tcpe_stat_descs[i].name,
						  tcpe_stats_word(st, tcpe_stat_descs[i].index));
	rte_tel_data_add_dict_uint(d, "drops", tcpe_stats_drops(st));
	return d;
}

static int
do_stats(struct tel_view *v, const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tcpe_stats *snap;
	char key[32];
	int only = -1, rc = 0;

	(void)cmd;
	if (v == NULL)
		return -EAGAIN;
	if (params != NULL && *params != '\0') {
		char *end;
		long l = strtol(params, &end, 10);

		if (*end != '\0' || l < 0)
			return -EINVAL;
		only = (int)l;
	}
	snap = snapshot(v);
	if (snap == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	if (only < 0) {
		struct rte_tel_data *t = counters(&snap[v->n]);

		if (t == NULL || rte_tel_data_add_dict_container(d, "total", t, 0) != 0)
			rc = -ENOMEM;
	}
	for (unsigned int i = 0; i < v->n && rc == 0; i++) {
		struct rte_tel_data *c;

		if (only >= 0 && v->workers[i]->lcore != (unsigned int)only)
			continue;
		c = counters(&snap[i]);
		snprintf(key, sizeof(key), "lcore_%u", v->workers[i]->lcore);
		if (c == NULL || rte_tel_data_add_dict_container(d, key, c, 0) != 0)
			rc = -ENOMEM;
	}
	free(snap);
	return rc;
}

static int
do_workers(struct tel_view *v, const char *cmd, const char *params, struct rte_tel_data *d)
{

	(void)cmd;
	(void)params;
	if (v == NULL)
		return -EAGAIN;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < v->n; i++) {
		const struct worker *w = v->workers[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		char key[32];

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "index", w->index);
		rte_tel_data_add_dict_int(c, "socket", (int)rte_lcore_to_socket_id(w->lcore));
		rte_tel_data_add_dict_int(c, "ports", w->nports);
		rte_tel_data_add_dict_uint(c, "queue", w->index);
		rte_tel_data_add_dict_uint(c, "max_conns", w->conn->nconns);
		rte_tel_data_add_dict_uint(c, "conn_active", tcpe_stats_word(&w->st,
			(uint32_t)(offsetof(struct tcpe_stats, conn_active) / 8)));
		rte_tel_data_add_dict_uint(c, "busy_us", tcpe_stats_word(&w->st,
			(uint32_t)(offsetof(struct tcpe_stats, busy_us) / 8)));
		rte_tel_data_add_dict_uint(c, "mbufs_free", rte_mempool_avail_count(w->mp));
		rte_tel_data_add_dict_uint(c, "mbufs_total", w->mp->size);
		if (w->rx_mp != NULL) {
			rte_tel_data_add_dict_uint(c, "rx_mbufs_free",
						   rte_mempool_avail_count(w->rx_mp));
			rte_tel_data_add_dict_uint(c, "rx_mbufs_total", w->rx_mp->size);
		}
		rte_tel_data_add_dict_uint(c, "txbuf_size", TXBUF_SIZE);
		snprintf(key, sizeof(key), "lcore_%u", w->lcore);
		if (rte_tel_data_add_dict_container(d, key, c, 0) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
do_drops(struct tel_view *v, const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tcpe_stats *snap;

	(void)cmd;
	(void)params;
	if (v == NULL || (snap = snapshot(v)) == NULL)
		return v == NULL ? -EAGAIN : -ENOMEM;
	rte_tel_data_start_dict(d);
	for (unsigned int r = 0; r < TCPE_DROP__COUNT; r++)
		rte_tel_data_add_dict_uint(d, tcpe_drop_name(r), snap[v->n].drop[r]);
	free(snap);
	return 0;
}

static int
do_config(struct tel_view *v, const char *cmd, const char *params, struct rte_tel_data *d)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	int rc = 0;
	FILE *f;

	(void)cmd;
	(void)params;
	if (v == NULL)
		return -EAGAIN;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -ENOMEM;
	config_dump(v->cfg, f);	/* the one place that knows every key */
	fclose(f);
	rte_tel_data_start_dict(d);
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(line, " = ");

		if (eq == NULL)
			continue;
		*eq = '\0';
		/* telemetry names allow [A-Za-z0-9_/]: max-conns -> max_conns, listen.80 -> listen/80 */
		for (char *p = line; *p != '\0'; p++)
			*p = *p == '-' ? '_' : *p == '.' ? '/' : *p;
		/* a value longer than telemetry takes (the greeting) is shown cut, not refused */
		if (strlen(eq + 3) >= RTE_TEL_MAX_STRING_LEN)
			strcpy(eq + 3 + RTE_TEL_MAX_STRING_LEN - 4, "...");
		if (rte_tel_data_add_dict_string(d, line, eq + 3) != 0)
			rc = -E2BIG;
	}
	free(buf);
	return rc;
}

/* /tcpe/ports: per port, the driver's xstats (imissed, ierrors, rx_nombuf, per-queue counts...). */
static int
do_ports(struct tel_view *v, const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct worker *w;

	(void)cmd;
	(void)params;
	if (v == NULL || v->n == 0)
		return -EAGAIN;
	w = v->workers[0];
	rte_tel_data_start_dict(d);
	for (uint16_t p = 0; p < w->nports; p++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		struct port_xstats x;
		char key[32];
		int rc;

		if (c == NULL)
			return -ENOMEM;
		rc = port_xstats_get(w->ports[p].txb.port_id, &x);
		rte_tel_data_start_dict(c);
		for (int i = 0; rc == 0 && i < x.n; i++)
			rte_tel_data_add_dict_uint(c, x.names[x.vals[i].id].name, x.vals[i].value);
		port_xstats_free(&x);
		snprintf(key, sizeof(key), "port_%u", w->ports[p].txb.port_id);
		if (rc != 0 || rte_tel_data_add_dict_container(d, key, c, 0) != 0) {
			rte_tel_data_free(c);
			return rc != 0 ? rc : -ENOMEM;
		}
	}
	return 0;
}

/* Each command runs with the view held (or answers EAGAIN once the workers are going). */
#define TEL_CMD(name)								\
	static int								\
	cmd_##name(const char *cmd, const char *params, struct rte_tel_data *d)	\
	{									\
		struct tel_view *v = view_get();				\
		int rc;								\
										\
		if (v == NULL)							\
			return -EAGAIN;						\
		rc = do_##name(v, cmd, params, d);				\
		view_put();							\
		return rc;							\
	}
TEL_CMD(stats)
TEL_CMD(workers)
TEL_CMD(drops)
TEL_CMD(config)
TEL_CMD(ports)

int
telemetry_init(struct worker **workers, unsigned int n, const struct tcpe_config *cfg)
{
	unsigned int entries = 1;	/* "drops" */
	int rc;

	for (unsigned int i = 0; i < tcpe_stat_ndescs; i++)
		entries += in_stats(&tcpe_stat_descs[i]);
	if (entries > RTE_TEL_MAX_DICT_ENTRIES) {
		printf("tcpe: /tcpe/stats would have %u entries, more than a telemetry dict holds (%d)\n",
		       entries, RTE_TEL_MAX_DICT_ENTRIES);
		return -E2BIG;
	}
	rte_rwlock_write_lock(&view_lock);
	the_view = (struct tel_view){ .workers = workers, .n = n, .cfg = cfg };
	view = &the_view;
	rte_rwlock_write_unlock(&view_lock);
	rc = rte_telemetry_register_cmd("/tcpe/stats", cmd_stats,
		"Every counter but the drops by reason (/tcpe/drops), total and per worker. "
		"Parameter: a worker lcore id for one worker");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tcpe/workers", cmd_workers,
			"Per worker: queue, socket, connection records, busy time, free mbufs");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tcpe/drops", cmd_drops,
			"Packets dropped, by reason, over all workers");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tcpe/ports", cmd_ports,
			"Per port: the driver's extended statistics (imissed, ierrors, ...)");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tcpe/config", cmd_config,
			"The effective configuration, key by key");
	return rc;
}

void
telemetry_fini(void)
{
	rte_rwlock_write_lock(&view_lock);
	view = NULL;
	rte_rwlock_write_unlock(&view_lock);
}
