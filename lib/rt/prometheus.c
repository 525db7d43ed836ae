/* prometheus.c - /metrics and /stats.json over plain HTTP on the control core; names, help and types from the counter list. */
#include "prometheus.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ctrl.h"

#define REQ_MAX 4096
#define IO_TIMEOUT_MS 200

int
metrics_parse_addr(const char *spec, uint32_t *ip, uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	char host[64];
	char *end;
	long p;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
		return -EINVAL;
	if (host[0] == '\0')
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, ip) != 1)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

int
metrics_open(const char *spec, FILE *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint16_t port;
	int fd, one = 1, e;

	if (metrics_parse_addr(spec, &sa.sin_addr.s_addr, &port) != 0) {
		fprintf(err, "tcpe: --prometheus: '%s' is not ADDR:PORT\n", spec);
		return -EINVAL;
	}
	sa.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
		e = errno;
		fprintf(err, "tcpe: --prometheus %s: %s\n", spec, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

static const char *
prom_type(const struct tcpe_stat_desc *d)
{
	return d->kind == TCPE_STAT_GAUGE ? "gauge" : "counter";
}

void
metrics_write_prometheus(FILE *f, struct worker *const *workers, unsigned int n,
			 const struct tcpe_stats *snap)
{
	for (unsigned int i = 0; i < tcpe_stat_ndescs; i++) {
		const struct tcpe_stat_desc *d = &tcpe_stat_descs[i];
		const char *suffix = d->kind == TCPE_STAT_GAUGE ? "" : "_total";

		fprintf(f, "# HELP tcpe_%s%s %s\n# TYPE tcpe_%s%s %s\n", d->name, suffix, d->help,
			d->name, suffix, prom_type(d));
		for (unsigned int w = 0; w < n; w++)
			fprintf(f, "tcpe_%s%s{worker=\"%u\"} %llu\n", d->name, suffix,
				workers[w]->lcore,
				(unsigned long long)tcpe_stats_word(&snap[w], d->index));
	}
	fprintf(f, "# HELP tcpe_workers worker lcores serving\n# TYPE tcpe_workers gauge\n"
		   "tcpe_workers %u\n", n);
}

static void
write_stats_json(FILE *f, struct worker *const *workers, unsigned int n,
		 const struct tcpe_stats *snap)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(f, "{\"time\": %.3f, \"total\": {", (double)ts.tv_sec + ts.tv_nsec / 1e9);
	stats_json_object(f, &snap[n]);
	fprintf(f, ", \"workers\": [");
	for (unsigned int w = 0; w < n; w++) {
		fprintf(f, "%s{\"lcore\": %u, ", w ? ", " : "", workers[w]->lcore);
		stats_json_object(f, &snap[w]);
	}
	fprintf(f, "]}\n");
}

static void
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;	/* the scraper went away or stalled past the timeout */
		buf += n;
		len -= (size_t)n;
	}
}

static void
serve(int fd, struct worker *const *workers, unsigned int n, struct tcpe_stats *snap)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = IO_TIMEOUT_MS * 1000 };
	char req[REQ_MAX + 1], head[256];
	size_t got = 0, blen = 0;
	char *body = NULL;
	const char *status = "200 OK", *ctype = "text/plain; version=0.0.4";
	FILE *f;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < REQ_MAX) {
		ssize_t r = recv(fd, req + got, REQ_MAX - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL)
			break;
	}
	req[got] = '\0';
	f = open_memstream(&body, &blen);
	if (f == NULL)
		return;
	stats_snapshot(workers, n, snap);
	if (strncmp(req, "GET /metrics ", 13) == 0 || strncmp(req, "GET /metrics?", 13) == 0) {
		metrics_write_prometheus(f, workers, n, snap);
	} else if (strncmp(req, "GET /stats.json ", 16) == 0) {
		ctype = "application/json";
		write_stats_json(f, workers, n, snap);
	} else {
		status = "404 Not Found";
		fprintf(f, "tcpe serves /metrics and /stats.json\n");
	}
	fclose(f);
	snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n", status, ctype, blen);
	send_all(fd, head, strlen(head));
	send_all(fd, body, blen);
	free(body);
}

void
metrics_poll(int lfd, struct worker *const *workers, unsigned int n, struct tcpe_stats *scratch)
{
	for (int i = 0; i < 8; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			return;	/* EAGAIN: nobody waiting */
		serve(fd, workers, n, scratch);
		close(fd);
	}
}
