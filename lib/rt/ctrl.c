/* ctrl.c - per-worker rates on the console, JSON lines with running totals, trace output, final totals. */
#include "ctrl.h"

#include "httpd.h"
#include "stats_view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>

#define POLL_US 5000

/*
 * Sleep until an absolute CLOCK_MONOTONIC deadline. A relative sleep restarted after every
 * EINTR (rte_delay_us_sleep) never ends under a signal storm - net_tap raises SIGIO per burst of
 * received packets - while an absolute deadline is reached whatever interrupts it. The signals
 * are left to land here rather than on the workers: measured with wrk through the tap, routing
 * them to the polling worker cost ~10 % of its request rate.
 */
static void
sleep_us(uint64_t us)
{
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_nsec += (long)(us % 1000000) * 1000;
	at.tv_sec += (time_t)(us / 1000000) + at.tv_nsec / 1000000000;
	at.tv_nsec %= 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
}

/* 1234567 -> "1.23M": SI prefixes, three significant digits. */
static const char *
si(double v, char *buf, size_t n)
{
	static const char pre[] = " kMGTP";
	unsigned int i = 0;

	while (v >= 999.5 && i < sizeof(pre) - 2) {
		v /= 1000.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.*f%c", v < 9.995 ? 2 : v < 99.95 ? 1 : 0, v, pre[i]);
	return buf;
}

int
ctrl_init(struct ctrl *c, struct worker **workers, unsigned int n, const struct tcpe_config *cfg,
	  struct port_link *links, uint16_t nlinks, FILE *out)
{
	memset(c, 0, sizeof(*c));
	c->workers = workers;
	c->nworkers = n > CTRL_MAX_WORKERS ? CTRL_MAX_WORKERS : n;
	c->links = links;
	c->nlinks = nlinks;
	for (unsigned int i = 0; i < c->nworkers; i++)
		c->stp[i] = &workers[i]->st;
	c->cfg = cfg;
	c->out = out;
	c->tp.out = out;
	c->start_tsc = c->prev_tsc = rte_get_tsc_cycles();
	if (cfg->connect[0] != '\0') {
		c->lat_prev = calloc(c->nworkers, sizeof(c->lat_prev[0]));
		c->lat_iv = calloc(c->nworkers + 1, sizeof(c->lat_iv[0]));
		if (c->lat_prev == NULL || c->lat_iv == NULL)
			return -ENOMEM;
	}
	if (cfg->prometheus[0] != '\0') {
		c->httpd = httpd_open(cfg->prometheus, stderr);
		if (c->httpd == NULL)
			return -EADDRNOTAVAIL;
		fprintf(out, "tcpe: dashboard, /metrics and /stats.json on http://%s/\n",
			cfg->prometheus);
	}
	if (cfg->stats_json[0] != '\0') {
		c->json = fopen(cfg->stats_json, "a");
		if (c->json == NULL) {
			int e = errno;

			fprintf(stderr, "tcpe: --stats-json: cannot open '%s': %s\n", cfg->stats_json,
				strerror(e));
			return -e;
		}
	}
	return 0;
}

/* The latency of the interval's requests at quantile @p q, microseconds (0 without any). */
static uint64_t
lat_quantile(const uint64_t *h, double q)
{
	uint64_t total = 0, seen = 0, rank;
	unsigned int b = 0;

	for (unsigned int i = 0; i < CLIENT_LAT_BUCKETS; i++)
		total += h[i];
	if (total == 0)
		return 0;
	rank = (uint64_t)(q * (double)total);
	while (b < CLIENT_LAT_BUCKETS - 1 && seen + h[b] <= rank)
		seen += h[b++];
	return client_lat_value(b);
}

/* One JSON object: every counter, and in client mode (@p h: the interval's latency histogram)
 * DESIGN's requests/responses/errors and the interval's latency percentiles. */
static void
json_object(struct ctrl *c, const struct tcpe_stats *s, const uint64_t *h)
{
	if (h != NULL)
		fprintf(c->json, "\"requests\": %llu, \"responses\": %llu, \"errors\": %llu, "
			"\"lat_p50_us\": %llu, \"lat_p99_us\": %llu, \"lat_p999_us\": %llu, ",
			(unsigned long long)s->client_sent, (unsigned long long)s->client_requests,
			(unsigned long long)s->client_errors,
			(unsigned long long)lat_quantile(h, 0.5),
			(unsigned long long)lat_quantile(h, 0.99),
			(unsigned long long)lat_quantile(h, 0.999));
	stats_json_object(c->json, s);
}

static void
json_line(struct ctrl *c, const struct tcpe_stats *now, double interval)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(c->json, "{\"time\": %.3f, \"interval\": %.3f, \"total\": {",
		(double)ts.tv_sec + ts.tv_nsec / 1e9, interval);
	json_object(c, &now[c->nworkers], c->lat_iv != NULL ? c->lat_iv[c->nworkers] : NULL);
	fprintf(c->json, ", \"workers\": [");
	for (unsigned int i = 0; i < c->nworkers; i++) {
		fprintf(c->json, "%s{\"lcore\": %u, ", i ? ", " : "", c->workers[i]->lcore);
		json_object(c, &now[i], c->lat_iv != NULL ? c->lat_iv[i] : NULL);
	}
	fprintf(c->json, "]}\n");
	fflush(c->json);
}

static void
console_row(struct ctrl *c, const char *label, const struct tcpe_stats *a,
	    const struct tcpe_stats *b, double dt)
{
	char v[8][16];

#define RATE(f) ((double)(a->f - b->f) / dt)
	fprintf(c->out, "%6s %5.0f%% %9s %9s %10s %10s %8s %8s %9s %8s\n", label,
		RATE(busy_us) / 1e4 / (strcmp(label, "total") == 0 ? c->nworkers : 1),
		si(RATE(rx_pkts), v[0], 16), si(RATE(tx_pkts), v[1], 16),
		si(RATE(rx_bytes) * 8 / 1e6, v[2], 16), si(RATE(tx_bytes) * 8 / 1e6, v[3], 16),
		si(RATE(conn_opened), v[4], 16), si((double)a->conn_active, v[5], 16),
		si(RATE(retransmits), v[6], 16),
		si((double)(tcpe_stats_drops(a) - tcpe_stats_drops(b)) / dt, v[7], 16));
#undef RATE
}

/* Client mode: the percentiles of a latency histogram, "p50 ... p99.9" in microseconds. */
static void
lat_percentiles(const uint64_t *h, char *buf, size_t n)
{
	static const double q[] = { 0.5, 0.9, 0.99, 0.999 };
	static const char *const name[] = { "p50", "p90", "p99", "p99.9" };
	uint64_t total = 0;
	size_t at = 0;

	for (unsigned int i = 0; i < CLIENT_LAT_BUCKETS; i++)
		total += h[i];
	if (total == 0) {
		snprintf(buf, n, "no requests");
		return;
	}
	for (unsigned int k = 0; k < RTE_DIM(q) && at < n; k++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s %llu us", k ? "  " : "", name[k],
				       (unsigned long long)lat_quantile(h, q[k]));
}

/* The interval's latency histograms: per worker (lat_iv[i]) and merged (lat_iv[nworkers]). */
static void
lat_interval(struct ctrl *c)
{
	uint64_t *sum = c->lat_iv[c->nworkers];

	memset(sum, 0, sizeof(c->lat_iv[0]));
	for (unsigned int i = 0; i < c->nworkers; i++) {
		const uint64_t *h = c->workers[i]->client->lat_hist;

		for (unsigned int b = 0; b < CLIENT_LAT_BUCKETS; b++) {
			uint64_t cur = h[b];

			c->lat_iv[i][b] = cur - c->lat_prev[i][b];
			c->lat_prev[i][b] = cur;
			sum[b] += c->lat_iv[i][b];
		}
	}
}

static void
client_line(struct ctrl *c, const struct tcpe_stats *now, const struct tcpe_stats *prev, double dt)
{
	uint32_t live = 0;
	char pct[160];

	for (unsigned int i = 0; i < c->nworkers; i++)
		live += c->workers[i]->client->live;
	lat_percentiles(c->lat_iv[c->nworkers], pct, sizeof(pct));
	fprintf(c->out, "client %9.0f req/s %8.0f conn/s  open %6u  errors %llu  rx %.0f Mbit/s  "
		"latency %s", (double)(now->client_requests - prev->client_requests) / dt,
		(double)(now->active_opens - prev->active_opens) / dt, live,
		(unsigned long long)now->client_errors,
		(double)(now->data_rx_bytes - prev->data_rx_bytes) * 8 / 1e6 / dt, pct);
	if (c->cfg->rate > 0 && c->cfg->concurrency == 0) {
		/* the schedule's rate now (--ramp climbs to --rate), against the conn/s achieved */
		double up = (double)(rte_get_tsc_cycles() - c->start_tsc) / (double)rte_get_tsc_hz();
		double offered = (double)c->cfg->rate;

		if (c->cfg->ramp_s > 0 && up < (double)c->cfg->ramp_s)
			offered *= up / (double)c->cfg->ramp_s;
		fprintf(c->out, "  offered %.0f conn/s", offered);
	}
	fputc('\n', c->out);
}

static void
report(struct ctrl *c)
{
	struct tcpe_stats *now = c->cur;
	uint64_t tsc = rte_get_tsc_cycles();
	double dt = (double)(tsc - c->prev_tsc) / (double)rte_get_tsc_hz();
	char lbl[16];

	stats_snapshot(c->workers, c->nworkers, now);
	if (c->lat_iv != NULL)
		lat_interval(c);
	if (dt <= 0)
		dt = 1e-9;
	if (c->cfg->stats_interval > 0) {
		fprintf(c->out, "\n%6s %6s %9s %9s %10s %10s %8s %8s %9s %8s   (up %.0f s)\n",
			"lcore", "busy", "rx pps", "tx pps", "rx Mbit/s", "tx Mbit/s", "conn/s", "active",
			"retrans/s", "drops/s",
			(double)(tsc - c->start_tsc) / (double)rte_get_tsc_hz());
		for (unsigned int i = 0; i < c->nworkers; i++) {
			snprintf(lbl, sizeof(lbl), "%u", c->workers[i]->lcore);
			console_row(c, lbl, &now[i], &c->prev[i], dt);
		}
		console_row(c, "total", &now[c->nworkers], &c->prev[c->nworkers], dt);
		if (c->cfg->connect[0] != '\0')
			client_line(c, &now[c->nworkers], &c->prev[c->nworkers], dt);
		fflush(c->out);
	}
	if (c->json != NULL)
		json_line(c, now, dt);
	memcpy(c->prev, now, sizeof(now[0]) * (c->nworkers + 1));
	c->prev_tsc = tsc;
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		c->prev_wall = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	}
}

static void
drain_traces(struct ctrl *c)
{
	struct trace_rec r;
	bool any = false;

	for (unsigned int i = 0; i < c->nworkers; i++) {
		struct rte_ring *ring = c->workers[i]->trace_ring;

		while (ring != NULL && rte_ring_sc_dequeue_elem(ring, &r, sizeof(r)) == 0) {
			trace_print(&c->tp, &r);
			any = true;
		}
	}
	if (any)
		fflush(c->out);
}

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The running totals now, for a summary sample (c->cur is scratch between reports). */
static const struct tcpe_stats *
summary_totals(struct ctrl *c)
{
	stats_snapshot(c->workers, c->nworkers, c->cur);
	return &c->cur[c->nworkers];
}

void
ctrl_run(struct ctrl *c, volatile sig_atomic_t *stop)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t period = (c->cfg->stats_interval ? c->cfg->stats_interval : 1) * hz;
	uint64_t next = rte_get_tsc_cycles() + period;
	uint64_t end = c->cfg->duration ? c->start_tsc + c->cfg->duration * hz : UINT64_MAX;
	uint64_t next_sample = rte_get_tsc_cycles();

	while (!*stop) {
		uint64_t now = rte_get_tsc_cycles();

		drain_traces(c);
		for (uint16_t p = 0; p < c->nlinks; p++)
			link_poll(&c->links[p], c->stp, c->nworkers, c->workers[0]->mp);
		if (c->httpd != NULL) {
			struct httpd_view v = {
				.workers = c->workers, .n = c->nworkers, .scratch = c->cur,
				.prev = c->prev_wall > 0 ? c->prev : NULL, .prev_time = c->prev_wall,
			};

			httpd_poll(c->httpd, &v);
		}
		if (c->cfg->summary_json[0] != '\0' && now >= next_sample) {
			summary_sample(&c->summary, wall_now(), summary_totals(c));
			next_sample += hz;
			if (next_sample < now)
				next_sample = now + hz;
		}
		if (now >= end)
			break;
		if (now >= next) {
			/* With the console off, still feed --stats-json once a second. */
			/* the endpoint's /stats.json also carries the last report's snapshot */
			if (c->cfg->stats_interval > 0 || c->json != NULL || c->httpd != NULL)
				report(c);
			next += period;
			if (next < now)
				next = now + period;
		}
		sleep_us(POLL_US);
	}
	drain_traces(c);
}

/* --request hello: what the first connection that heard anything was told (the workers have
 * stopped: their buffers are read without a race). */
static void
greeting(struct ctrl *c)
{
	for (unsigned int i = 0; i < c->nworkers; i++) {
		const struct client *k = c->workers[i]->client;

		if (k == NULL || k->greet_len == 0)
			continue;
		fprintf(c->out, "tcpe: client: the first connection of lcore %u received %u bytes: \"",
			c->workers[i]->lcore, k->greet_len);
		for (unsigned int b = 0; b < k->greet_len; b++) {
			unsigned char ch = (unsigned char)k->greeting[b];

			if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
				fputc(ch, c->out);
			else
				fprintf(c->out, "\\x%02x", ch);
		}
		fputs("\"\n", c->out);
		return;
	}
}

void
ctrl_final(struct ctrl *c)
{
	struct tcpe_stats *total = &c->cur[c->nworkers];
	uint64_t h[CLIENT_LAT_BUCKETS] = { 0 };
	char pct[160];

	drain_traces(c);
	if (c->json != NULL)
		report(c);	/* JSON keeps one more line with the final running totals */
	stats_snapshot(c->workers, c->nworkers, c->cur);
	fprintf(c->out, "\ntcpe: final totals (%u worker%s)\n", c->nworkers,
		c->nworkers == 1 ? "" : "s");
	fprintf(c->out, "  %-28s %14s", "counter", "total");
	for (unsigned int i = 0; i < c->nworkers; i++)
		fprintf(c->out, " %11s%-3u", "lcore ", c->workers[i]->lcore);
	fprintf(c->out, "\n");
	for (unsigned int d = 0; d < tcpe_stat_ndescs; d++) {
		uint32_t idx = tcpe_stat_descs[d].index;

		if (tcpe_stats_word(total, idx) == 0)
			continue;
		fprintf(c->out, "  %-28s %14llu", tcpe_stat_descs[d].name,
			(unsigned long long)tcpe_stats_word(total, idx));
		for (unsigned int i = 0; i < c->nworkers; i++)
			fprintf(c->out, " %14llu",
				(unsigned long long)tcpe_stats_word(&c->cur[i], idx));
		fprintf(c->out, "\n");
	}
	fprintf(c->out, "  %-28s %14llu\n", "drops (all reasons)",
		(unsigned long long)tcpe_stats_drops(total));
	if (c->cfg->connect[0] != '\0') {
		for (unsigned int i = 0; i < c->nworkers; i++)
			for (unsigned int b = 0; b < CLIENT_LAT_BUCKETS; b++)
				h[b] += c->workers[i]->client->lat_hist[b];
		lat_percentiles(h, pct, sizeof(pct));
		fprintf(c->out, "tcpe: client: %llu requests, %llu errors, latency %s\n",
			(unsigned long long)total->client_requests,
			(unsigned long long)total->client_errors, pct);
		greeting(c);
	}
	if (c->cfg->summary_json[0] != '\0') {
		double end = wall_now();

		summary_sample(&c->summary, end, total);
		if (summary_write(&c->summary, c->cfg->summary_json, c->cfg, total,
				  c->cfg->connect[0] != '\0' ? h : NULL, end, stderr) == 0)
			fprintf(c->out, "tcpe: summary written to %s\n", c->cfg->summary_json);
	}
	fflush(c->out);
}

void
ctrl_fini(struct ctrl *c)
{
	if (c->json != NULL)
		fclose(c->json);
	c->json = NULL;
	httpd_close(c->httpd);
	c->httpd = NULL;
	summary_free(&c->summary);
	free(c->lat_prev);
	free(c->lat_iv);
	c->lat_prev = NULL;
	c->lat_iv = NULL;
}
