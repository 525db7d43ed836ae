/* main.c - tcpe: arguments -> config -> EAL -> pools -> ports -> workers -> control loop -> teardown. */
#include <arpa/inet.h>
#include <errno.h>
#include <numa.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>
#include <rte_ring.h>

#include "config.h"
#include "ctrl.h"
#include "port.h"
#include "telemetry.h"
#include "tw.h"
#include "worker.h"

#define MBUF_CACHE 256

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Everything main() builds, so teardown can release it in one place. */
struct tcpe {
	struct tcpe_config cfg;
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	struct worker *workers[RTE_MAX_LCORE];
	unsigned int nworkers;
	uint16_t port_ids[TCPE_MAX_PORTS];
	struct port_info pinfo[TCPE_MAX_PORTS];
	uint16_t nports;
	struct ctrl ctrl;
	struct rte_ring *steer_rings[RTE_MAX_LCORE][WORKER_MAX];	/**< freed after the workers */
};

static struct rte_mempool *
pool_for(struct tcpe *t, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int s = socket < 0 ? 0 : (unsigned int)socket;

	if (s >= RTE_MAX_NUMA_NODES)
		s = 0;
	if (t->pools[s] == NULL) {
		snprintf(name, sizeof(name), "tcpe_mbuf_s%u", s);
		t->pools[s] = rte_pktmbuf_pool_create(name, (unsigned int)t->cfg.mbufs, MBUF_CACHE,
						      0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)s);
	}
	return t->pools[s];
}

static void
usage_fail(const char *msg)
{
	fprintf(stderr, "tcpe: %s\n", msg);
	exit(TCPE_EXIT_USAGE);
}

/* Split "EAL options -- tcpe options"; tcpe's part is parsed first, before EAL touches anything. */
static int
parse_args(struct tcpe *t, int argc, char **argv, int *eal_argc)
{
	int sep = argc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	}
	*eal_argc = sep;
	if (sep == argc) {
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
				config_usage(stdout, argv[0]);
				exit(0);
			}
		}
		return config_parse(&t->cfg, 1, argv, stderr);
	}
	/* Give tcpe's options an argv of their own, with the program name first. */
	argv[sep] = argv[0];
	return config_parse(&t->cfg, argc - sep, argv + sep, stderr);
}

static void
banner(const struct tcpe *t)
{
	char ip[INET_ADDRSTRLEN];

	printf("tcpe: %u worker%s on lcores", t->nworkers, t->nworkers == 1 ? "" : "s");
	for (unsigned int i = 0; i < t->nworkers; i++)
		printf(" %u", t->workers[i]->lcore);
	printf(", control on lcore %u; NUMA nodes: %d\n", rte_get_main_lcore(),
	       numa_available() < 0 ? 1 : numa_num_configured_nodes());
	for (uint16_t i = 0; i < t->nports; i++) {
		const struct port_info *pi = &t->pinfo[i];

		inet_ntop(AF_INET, &t->cfg.ports[i].ip, ip, sizeof(ip));
		printf("tcpe: port %u (%s) " RTE_ETHER_ADDR_PRT_FMT " %s/%u  rss:%s  cksum rx:%s tx:%s"
		       "  tx zero-copy:%s\n",
		       t->port_ids[i], pi->driver, RTE_ETHER_ADDR_BYTES(&pi->mac), ip,
		       t->cfg.ports[i].prefix, pi->rss ? "symmetric" : "off",
		       pi->rx_cksum ? "offload" : "sw", pi->tx_cksum ? "offload" : "sw",
		       pi->tx_multiseg ? "yes" : "no");
	}
	for (unsigned int i = 0; i < t->cfg.nlisten; i++)
		printf("tcpe: listening on %u (%s)\n", t->cfg.listen[i].port,
		       config_app_name(t->cfg.listen[i].app));
	printf("tcpe: connection record %zu bytes (TCB %zu), %llu per worker; TIME_WAIT entry %zu "
	       "bytes, %llu per worker; + a flow-table slot each\n",
	       sizeof(struct conn), sizeof(struct tcb), (unsigned long long)t->cfg.max_conns,
	       sizeof(struct tcp_tw), (unsigned long long)t->cfg.time_wait_max);
	fflush(stdout);
}

static int
setup_ports(struct tcpe *t)
{
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		struct rte_mempool *mp;
		int rc;

		if (t->nports == TCPE_MAX_PORTS || t->cfg.ports[t->nports].ip == 0) {
			printf("tcpe: port %u has no address configured; not used\n", pid);
			continue;
		}
		mp = pool_for(t, rte_eth_dev_socket_id(pid));
		if (mp == NULL)
			rte_exit(EXIT_FAILURE, "tcpe: mbuf pool: %s (more memory: -m, hugepages)\n",
				 rte_strerror(rte_errno));
		rc = port_setup(pid, (uint16_t)t->nworkers, mp, &t->pinfo[t->nports]);
		if (rc != 0)
			rte_exit(EXIT_FAILURE, "tcpe: port %u: %s\n", pid, strerror(-rc));
		t->port_ids[t->nports++] = pid;
	}
	return t->nports > 0 ? 0 : -ENODEV;
}

/* Bytes allocated from DPDK's heaps on every socket. */
static uint64_t
heap_allocated(void)
{
	uint64_t sum = 0;

	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

/* True when @p port is a net_memif in the client role (devargs role=client; server is the default). */
static bool
memif_is_client(uint16_t port)
{
	struct rte_eth_dev_info di;
	const struct rte_devargs *da;

	if (rte_eth_dev_info_get(port, &di) != 0 || di.device == NULL)
		return false;
	da = rte_dev_devargs(di.device);
	return da != NULL && da->args != NULL && strstr(da->args, "role=client") != NULL;
}

/*
 * Before our memif ports close: net_memif (22.11) unmaps the shared rings from its interrupt
 * thread when the peer disconnects, with nothing to keep a worker of that process from polling
 * them, and a disconnect handled there while the main thread closes the same port runs the
 * teardown twice at once. So one side leaves first: the client gives a peer stopped by the same
 * signal 100 ms to stop polling (its control lcore may share a CPU with a spinning worker), then
 * closes; the server waits for that (link down, up to a second) and for the peer's disconnect to
 * be handled, then closes its own side.
 */
static void
memif_leave(struct tcpe *t)
{
	bool client = false, server = false;

	for (uint16_t p = 0; p < t->nports; p++) {
		if (strcmp(t->pinfo[p].driver, "net_memif") != 0)
			continue;
		if (memif_is_client(t->port_ids[p]))
			client = true;
		else
			server = true;
	}
	if (client)
		rte_delay_us_sleep(100 * 1000);
	if (!server)
		return;
	for (unsigned int ms = 0; ms < 1000; ms += 10) {
		bool up = false;

		for (uint16_t p = 0; p < t->nports; p++) {
			struct rte_eth_link l;

			if (strcmp(t->pinfo[p].driver, "net_memif") == 0 &&
			    !memif_is_client(t->port_ids[p]) &&
			    rte_eth_link_get_nowait(t->port_ids[p], &l) == 0 && l.link_status)
				up = true;
		}
		if (!up)
			break;
		rte_delay_us_sleep(10 * 1000);
	}
	rte_delay_us_sleep(50 * 1000);	/* the interrupt thread finishes the disconnect */
}

/*
 * Software steering (DESIGN "Flow steering"): with several workers and a port that has no RSS,
 * or --steer on, each worker hands segments whose tuple another worker owns over an SP/SC ring.
 */
static void
setup_steering(struct tcpe *t, unsigned int n)
{
	bool need = strcmp(t->cfg.steer, "on") == 0;
	unsigned int reta = 128;

	/* A port without RSS, or whose RETA we could not write, needs software steering. */
	for (uint16_t p = 0; p < t->nports; p++) {
		need |= (!t->pinfo[p].rss || t->pinfo[p].reta_size == 0) &&
			strcmp(t->cfg.steer, "auto") == 0;
		if (t->pinfo[p].rss && t->pinfo[p].reta_size > 0)
			reta = t->pinfo[p].reta_size;
	}
	/* Every worker knows the owner map, also with RSS (client mode picks ports with it): the
	 * port's RETA as programmed (entry k -> queue k % n), or a software one of 128 entries. */
	for (unsigned int i = 0; i < n; i++) {
		t->workers[i]->nworkers = (uint16_t)n;
		t->workers[i]->steer_mask = (uint16_t)(reta - 1);
		for (unsigned int k = 0; k < STEER_RETA; k++)
			t->workers[i]->steer_reta[k] = (uint8_t)(k % n);
	}

	if (n < 2 || !need || strcmp(t->cfg.steer, "off") == 0)
		return;
	if (n > WORKER_MAX)
		rte_exit(EXIT_FAILURE, "tcpe: software steering supports %u workers\n", WORKER_MAX);
	for (unsigned int i = 0; i < n; i++) {
		struct worker *w = t->workers[i];

		w->steer = true;
		for (unsigned int j = 0; j < n; j++) {
			char name[RTE_RING_NAMESIZE];
			struct rte_ring *r;

			if (j == i)
				continue;
			snprintf(name, sizeof(name), "tcpe_steer_%u_%u", i, j);
			r = rte_ring_create(name, 4096, (int)rte_lcore_to_socket_id(w->lcore),
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL)
				rte_exit(EXIT_FAILURE, "tcpe: steering ring: %s\n", rte_strerror(rte_errno));
			w->steer_out[j] = r;
			t->workers[j]->steer_in[i] = r;
		}
	}
	printf("tcpe: software steering on: %u workers, a ring per pair (ports without RSS)\n", n);
}

static void
setup_workers(struct tcpe *t)
{
	unsigned int lcore, i = 0;
	uint64_t heap0;

	RTE_LCORE_FOREACH_WORKER(lcore)	/* pools first: not part of the per-worker tables */
		pool_for(t, (int)rte_lcore_to_socket_id(lcore));
	heap0 = heap_allocated();
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct rte_mempool *mp = pool_for(t, (int)rte_lcore_to_socket_id(lcore));
		struct rte_ring *ring = NULL;
		struct worker *w;
		char name[RTE_RING_NAMESIZE];

		if (mp == NULL)
			rte_exit(EXIT_FAILURE, "tcpe: mbuf pool: %s\n", rte_strerror(rte_errno));
		if (t->cfg.trace > 0) {
			snprintf(name, sizeof(name), "tcpe_trace_%u", i);
			ring = rte_ring_create_elem(name, sizeof(struct trace_rec), TRACE_RING_SIZE,
						    (int)rte_lcore_to_socket_id(lcore),
						    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (ring == NULL)
				rte_exit(EXIT_FAILURE, "tcpe: trace ring: %s\n",
					 rte_strerror(rte_errno));
		}
		w = worker_create(i, lcore, &t->cfg, mp, ring);
		if (w == NULL)
			rte_exit(EXIT_FAILURE, "tcpe: worker %u: %s (lower --max-conns or give more "
				 "memory with -m)\n", i, rte_strerror(rte_errno));
		for (uint16_t p = 0; p < t->nports; p++) {
			struct wport *wp = &w->ports[p];
			uint8_t prefix = t->cfg.ports[p].prefix;

			wp->port_id = t->port_ids[p];
			wp->queue = (uint16_t)i;
			wp->addr.mac = t->pinfo[p].mac;
			wp->addr.ip = t->cfg.ports[p].ip;
			wp->addr.mask = htonl(prefix ? ~0u << (32 - prefix) : 0);
			if (p == 0) {	/* client mode's --source-ips are port 0's too */
				wp->addr.alias_lo = t->cfg.source_lo;
				wp->addr.alias_n = t->cfg.source_n;
			}
			wp->tx.mac = t->pinfo[p].mac;
			wp->tx.cksum_offload = t->pinfo[p].tx_cksum;
			wp->tx.multiseg = t->pinfo[p].tx_multiseg;
		}
		w->nports = t->nports;
		t->workers[i++] = w;
	}
	if (i > 0) {
		uint64_t per = (heap_allocated() - heap0) / i;

		/* what one worker's tables really take (records, flow table, TIME_WAIT, queues) */
		printf("tcpe: worker tables %.1f MiB each: %.0f bytes per connection slot "
		       "(--max-conns %llu, --time-wait-max %llu)\n", (double)per / (1 << 20),
		       (double)per / (double)t->cfg.max_conns, (unsigned long long)t->cfg.max_conns,
		       (unsigned long long)t->cfg.time_wait_max);
	}
	setup_steering(t, i);
	for (unsigned int k = 0; k < i; k++)
		client_init(t->workers[k], i);
}

static int run(struct tcpe *t, int argc, char **argv);

int
main(int argc, char **argv)
{
	struct tcpe *tp = calloc(1, sizeof(*tp));	/* large (per-lcore arrays): not on the stack */
	int rc;

	if (tp == NULL)
		return EXIT_FAILURE;
	rc = run(tp, argc, argv);
	free(tp);
	return rc;
}

/* Everything between parsing and exit; returns the process exit status. */
static int
run(struct tcpe *t, int argc, char **argv)
{
	int eal_argc, rc;
	unsigned int lcore;

	rc = parse_args(t, argc, argv, &eal_argc);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return TCPE_EXIT_USAGE;
	rc = rte_eal_init(eal_argc, argv);
	if (rc < 0) {
		fprintf(stderr, "tcpe: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return TCPE_EXIT_USAGE;
	}
	rc = 0;	/* rte_eal_init() returned the number of arguments it consumed */
	t->nworkers = rte_lcore_count() - 1;
	if (t->nworkers == 0)
		usage_fail("no worker lcore: give EAL at least two lcores (e.g. -l 0-1; the first "
			   "is the control core)");
	if (rte_eth_dev_count_avail() == 0)
		usage_fail("no ports: add one with --vdev (e.g. --vdev net_tap0,iface=tcpe0) or "
			   "bind a NIC to a DPDK driver");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (setup_ports(t) != 0)
		usage_fail("no usable port (each port needs an address)");
	setup_workers(t);
	/* Lets dpdk-dumpcap (a secondary process) capture our ports into pcapng. */
	if (rte_pdump_init() != 0)
		printf("tcpe: packet capture unavailable: %s\n", rte_strerror(rte_errno));
	if (telemetry_init(t->workers, t->nworkers, &t->cfg) != 0)
		printf("tcpe: telemetry commands not registered (telemetry disabled?)\n");
	banner(t);
	if (ctrl_init(&t->ctrl, t->workers, t->nworkers, &t->cfg, stdout) != 0)
		rc = TCPE_EXIT_USAGE;
	if (rc == 0) {
		for (unsigned int i = 0; i < t->nworkers; i++)
			rte_eal_remote_launch(worker_main, t->workers[i], t->workers[i]->lcore);
		ctrl_run(&t->ctrl, &stop_requested);
		for (unsigned int i = 0; i < t->nworkers; i++)
			t->workers[i]->stop = true;
		RTE_LCORE_FOREACH_WORKER(lcore)
			rte_eal_wait_lcore(lcore);
		ctrl_final(&t->ctrl);
		ctrl_fini(&t->ctrl);
	}
	telemetry_fini();
	rte_pdump_uninit();
	memif_leave(t);
	for (uint16_t p = 0; p < t->nports; p++)
		rte_eth_dev_stop(t->port_ids[p]);
	/* Rings outlive the workers that drain them at destruction: free them last. */
	for (unsigned int i = 0; i < t->nworkers; i++)
		for (unsigned int j = 0; j < WORKER_MAX; j++)
			t->steer_rings[i][j] = t->workers[i]->steer_out[j];
	for (unsigned int i = 0; i < t->nworkers; i++) {
		struct rte_ring *ring = t->workers[i]->trace_ring;

		worker_destroy(t->workers[i]);
		rte_ring_free(ring);
	}
	for (unsigned int i = 0; i < t->nworkers; i++)
		for (unsigned int j = 0; j < WORKER_MAX; j++)
			rte_ring_free(t->steer_rings[i][j]);
	for (uint16_t p = 0; p < t->nports; p++)
		rte_eth_dev_close(t->port_ids[p]);
	/* Every record, queue and port has given its mbufs back: anything still out is a leak. */
	for (unsigned int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		unsigned int out;

		if (t->pools[s] == NULL)
			continue;
		out = rte_mempool_in_use_count(t->pools[s]);
		printf("tcpe: mbufs in use at exit (socket %u): %u\n", s, out);
		if (out != 0 && rc == 0)
			rc = 3;
		rte_mempool_free(t->pools[s]);
	}
	rte_eal_cleanup();
	return rc;
}
