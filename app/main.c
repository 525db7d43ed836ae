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

#include "apps.h"
#include "config.h"
#include "ctrl.h"
#include "link.h"
#include "mem.h"
#include "port.h"
#include "telemetry.h"
#include "trace.h"
#include "tw.h"
#include "worker.h"


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
	struct mem_plan mem;
	struct rte_mempool *rx_pools[RTE_MAX_NUMA_NODES];	/**< receiving (mem.h) */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];		/**< sending */
	struct worker *workers[RTE_MAX_LCORE];
	unsigned int nworkers;
	uint16_t port_ids[TCPE_MAX_PORTS];
	struct port_info pinfo[TCPE_MAX_PORTS];
	struct port_link links[TCPE_MAX_PORTS];	/**< shared by the workers and the control core */
	uint16_t nports;
	struct ctrl ctrl;
};

/* The receive (@p rx) or send pool of NUMA @p socket, created on first use (sizes: mem.h). */
static struct rte_mempool *
pool_for(struct tcpe *t, int socket, bool rx)
{
	struct rte_mempool **pp;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int s = socket < 0 ? 0 : (unsigned int)socket;
	const char *ops;

	if (s >= RTE_MAX_NUMA_NODES)
		s = 0;
	pp = rx ? &t->rx_pools[s] : &t->pools[s];
	if (*pp == NULL) {
		snprintf(name, sizeof(name), "tcpe_%s_s%u", rx ? "rx" : "tx", s);
		*pp = mem_pool_create(name, rx ? t->mem.rx_mbufs : t->mem.data_mbufs,
				      rx ? t->mem.rx_cache : t->mem.data_cache, (int)s, &ops);
		if (*pp != NULL)
			printf("tcpe: %s pool of socket %u: %u mbufs, mempool handler %s\n",
			       rx ? "receive" : "send", s, (*pp)->size, ops);
		else
			rte_exit(EXIT_FAILURE, "tcpe: %s mbuf pool (%u): %s (more memory: -m, "
				 "hugepages)\n", rx ? "receive" : "send", rx ? t->mem.rx_mbufs :
				 t->mem.data_mbufs, rte_strerror(rte_errno));
	}
	return *pp;
}

/* The memory plan (mem.h) for the workers EAL gave us; bad sizes are input errors. */
static void
plan_memory(struct tcpe *t)
{
	unsigned int per_socket[RTE_MAX_NUMA_NODES] = { 0 }, most = 0, lcore;
	struct mem_ports ports = { .n = rte_eth_dev_count_avail() };
	uint16_t pid;

	/* what each port's driver makes of --rx-desc and --tx-desc: the rings hold that many */
	RTE_ETH_FOREACH_DEV(pid) {
		uint16_t nrx = (uint16_t)t->cfg.rx_desc, ntx = (uint16_t)t->cfg.tx_desc;

		if (port_desc(pid, &nrx, &ntx) != 0)
			continue;	/* port_setup() reports it */
		ports.rx_desc = RTE_MAX(ports.rx_desc, (unsigned int)nrx);
		ports.tx_desc = RTE_MAX(ports.tx_desc, (unsigned int)ntx);
	}
	if (ports.rx_desc == 0)
		ports.rx_desc = (unsigned int)t->cfg.rx_desc;
	if (ports.tx_desc == 0)
		ports.tx_desc = (unsigned int)t->cfg.tx_desc;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		unsigned int s = rte_lcore_to_socket_id(lcore) % RTE_MAX_NUMA_NODES;

		if (++per_socket[s] > most)
			most = per_socket[s];
	}
	if (mem_plan(&t->mem, &t->cfg, t->nworkers, most, &ports, stderr) != 0)
		exit(TCPE_EXIT_USAGE);
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
			if (strcmp(argv[i], "--version") == 0) {
				config_version(stdout);
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
	char ip[INET_ADDRSTRLEN], ip6[INET6_ADDRSTRLEN + 8] = "";
	bool has6 = false, state = t->cfg.client_port != 0;	/* client mode keeps state */

	config_version(stdout);
	printf("tcpe: %u worker%s on lcores", t->nworkers, t->nworkers == 1 ? "" : "s");
	for (unsigned int i = 0; i < t->nworkers; i++)
		printf(" %u", t->workers[i]->lcore);
	printf(", control on lcore %u; NUMA nodes: %d\n", rte_get_main_lcore(),
	       numa_available() < 0 ? 1 : numa_num_configured_nodes());
	for (uint16_t i = 0; i < t->nports; i++) {
		const struct port_info *pi = &t->pinfo[i];

		inet_ntop(AF_INET, &t->cfg.ports[i].ip, ip, sizeof(ip));
		if (!config_ip6_none(t->cfg.ports[i].ip6)) {
			char a[INET6_ADDRSTRLEN];

			snprintf(ip6, sizeof(ip6), " %s/%u",
				 inet_ntop(AF_INET6, t->cfg.ports[i].ip6, a, sizeof(a)),
				 t->cfg.ports[i].prefix6);
		} else {
			ip6[0] = '\0';
		}
		printf("tcpe: port %u (%s) " RTE_ETHER_ADDR_PRT_FMT " %s/%u%s  rss:%s  cksum rx:%s "
		       "tx:%s  tx zero-copy:%s",
		       t->port_ids[i], pi->driver, RTE_ETHER_ADDR_BYTES(&pi->mac), ip,
		       t->cfg.ports[i].prefix, ip6, pi->rss ? "symmetric" : "off",
		       pi->rx_cksum ? "offload" : "sw", pi->tx_cksum ? "offload" : "sw",
		       pi->tx_multiseg ? "yes" : "no");
		if (strcmp(pi->driver, "net_memif") == 0)	/* it ignores the queues' sizes */
			printf("  rings: the memif client's rsize");
		else
			printf("  descriptors rx:%u tx:%u", pi->nb_rxd, pi->nb_txd);
		if (strcmp(pi->driver, "net_memif") != 0 &&
		    (pi->nb_rxd != t->cfg.rx_desc || pi->nb_txd != t->cfg.tx_desc))
			printf(" (asked %llu/%llu: the driver's limits)",
			       (unsigned long long)t->cfg.rx_desc, (unsigned long long)t->cfg.tx_desc);
		if (pi->vlan != 0)
			printf("  vlan %u (strip:%s insert:%s)", pi->vlan,
			       pi->rx_vlan_strip ? "offload" : "sw", pi->tx_vlan ? "offload" : "sw");
		putchar('\n');
	}
	for (unsigned int i = 0; i < t->cfg.nlisten; i++)
		printf("tcpe: listening on %u (%s)\n", t->cfg.listen[i].port,
		       config_app_name(t->cfg.listen[i].app));
	mem_describe(&t->mem, stdout);
	for (uint16_t i = 0; i < t->nports; i++)
		has6 |= !config_ip6_none(t->cfg.ports[i].ip6);
	for (unsigned int i = 0; i < t->cfg.nlisten; i++)
		state |= apps_get(t->cfg.listen[i].app)->has_state;
	printf("tcpe: connection record %zu bytes (TCB %zu)%s%s, %llu per worker; TIME_WAIT entry "
	       "%zu bytes, %llu per worker; + a flow-table slot each\n",
	       sizeof(struct conn), sizeof(struct tcb),
	       state ? " + 32 of application state" : "",
	       has6 ? " + 16 for an IPv6 peer's address" : "",
	       (unsigned long long)t->cfg.max_conns, sizeof(struct tcp_tw),
	       (unsigned long long)t->cfg.time_wait_max);
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
		mp = pool_for(t, rte_eth_dev_socket_id(pid), true);
		t->pinfo[t->nports].vlan = t->cfg.ports[t->nports].vlan;
		t->pinfo[t->nports].nb_rxd = (uint16_t)t->cfg.rx_desc;
		t->pinfo[t->nports].nb_txd = (uint16_t)t->cfg.tx_desc;
		rc = port_setup(pid, (uint16_t)t->nworkers, mp, &t->pinfo[t->nports],
				&stop_requested);
		if (rc != 0)
			rte_exit(EXIT_FAILURE, "tcpe: port %u: %s\n", pid, strerror(-rc));
		link_init(&t->links[t->nports], pid, t->pinfo[t->nports].driver,
			  (uint16_t)t->nworkers, &t->pinfo[t->nports].mac);
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

/* Every worker from the configuration, then the rings software steering needs between them. */
static void
setup_workers(struct tcpe *t)
{
	struct steer *steers[RTE_MAX_LCORE];
	int sockets[RTE_MAX_LCORE];
	unsigned int lcore, i = 0;
	uint64_t heap0;

	RTE_LCORE_FOREACH_WORKER(lcore)	/* pools first: not part of the per-worker tables */
		pool_for(t, (int)rte_lcore_to_socket_id(lcore), false);
	if (t->nworkers > WORKER_MAX)
		rte_exit(EXIT_FAILURE, "tcpe: at most %u workers\n", WORKER_MAX);
	heap0 = heap_allocated();
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct worker_spec spec = {
			.cfg = &t->cfg, .index = i, .lcore = lcore, .nworkers = t->nworkers,
			.mp = pool_for(t, (int)rte_lcore_to_socket_id(lcore), false),
			.rx_mp = pool_for(t, rte_eth_dev_socket_id(t->port_ids[0]), true),
			.data_budget = t->mem.data_budget, .nports = t->nports,
			.port_ids = t->port_ids, .pinfo = t->pinfo, .links = t->links,
		};
		struct worker *w = worker_create(&spec);

		if (w == NULL)
			rte_exit(EXIT_FAILURE, "tcpe: worker %u: %s (lower --max-conns or give more "
				 "memory with -m)\n", i, rte_strerror(rte_errno));
		steers[i] = &w->steer;
		sockets[i] = (int)rte_lcore_to_socket_id(lcore);
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
	if (steer_connect(steers, sockets, i) != 0)
		rte_exit(EXIT_FAILURE, "tcpe: steering rings: %s\n", rte_strerror(rte_errno));
	if (i > 1 && t->workers[0]->steer.on)
		printf("tcpe: software steering on: %u workers, a ring per pair\n", i);
}

/*
 * Ports down, workers gone, then the pools: every record, queue and port has given its mbufs
 * back by then. Gated ports (net_memif) first agree with their peer, then close from the
 * interrupt thread (link.h); other ports stop before the workers release what they hold.
 * @p all_closed says whether every port could be closed (link_close()).
 * @return @p rc, or 3 when mbufs are still in use (a leak).
 */
static int
teardown(struct tcpe *t, int rc, bool *all_closed)
{
	*all_closed = true;
	for (uint16_t p = 0; p < t->nports; p++)
		link_leave(&t->links[p], t->workers[0] != NULL ? t->workers[0]->mp : NULL);
	for (uint16_t p = 0; p < t->nports; p++) {
		if (t->links[p].gated)
			*all_closed &= link_close(&t->links[p]);
		else
			rte_eth_dev_stop(t->port_ids[p]);
	}
	for (unsigned int i = 0; i < t->nworkers; i++)
		worker_destroy(t->workers[i]);
	for (uint16_t p = 0; p < t->nports; p++)
		if (!t->links[p].gated)
			rte_eth_dev_close(t->port_ids[p]);
	for (unsigned int i = 0; i < 2 * RTE_MAX_NUMA_NODES; i++) {
		struct rte_mempool *mp = i < RTE_MAX_NUMA_NODES ? t->rx_pools[i] :
					 t->pools[i - RTE_MAX_NUMA_NODES];
		unsigned int out;

		if (mp == NULL)
			continue;
		out = rte_mempool_in_use_count(mp);
		printf("tcpe: mbufs in use at exit (socket %u, %s): %u\n", i % RTE_MAX_NUMA_NODES,
		       i < RTE_MAX_NUMA_NODES ? "receive" : "send", out);
		if (out != 0 && rc == 0)
			rc = 3;
		rte_mempool_free(mp);
	}
	return rc;
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

/* SIGINT and SIGTERM ask the control loop to stop; interrupted system calls are restarted, so
 * a signal during start-up (a memif connect) cannot fail it. */
static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Launch the workers, run the control loop until a signal or --duration, stop and join. */
static int
serve(struct tcpe *t)
{
	unsigned int lcore;

	if (ctrl_init(&t->ctrl, t->workers, t->nworkers, &t->cfg, t->links, t->nports, stdout) != 0)
		return TCPE_EXIT_USAGE;
	for (unsigned int i = 0; i < t->nworkers; i++)
		rte_eal_remote_launch(worker_main, t->workers[i], t->workers[i]->lcore);
	ctrl_run(&t->ctrl, &stop_requested);
	for (unsigned int i = 0; i < t->nworkers; i++)
		t->workers[i]->stop = true;
	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_wait_lcore(lcore);
	ctrl_final(&t->ctrl);
	ctrl_fini(&t->ctrl);
	return 0;
}

/* Everything between parsing and exit; returns the process exit status. */
static int
run(struct tcpe *t, int argc, char **argv)
{
	bool all_closed;
	int eal_argc, rc;

	rc = parse_args(t, argc, argv, &eal_argc);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return TCPE_EXIT_USAGE;
	install_signals();
	rc = rte_eal_init(eal_argc, argv);
	if (rc < 0) {
		fprintf(stderr, "tcpe: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return TCPE_EXIT_USAGE;
	}
	t->nworkers = rte_lcore_count() - 1;
	if (t->nworkers == 0)
		usage_fail("no worker lcore: give EAL at least two lcores (e.g. -l 0-1; the first "
			   "is the control core)");
	if (rte_eth_dev_count_avail() == 0)
		usage_fail("no ports: add one with --vdev (e.g. --vdev net_tap0,iface=tcpe0) or "
			   "bind a NIC to a DPDK driver");
	plan_memory(t);
	if (setup_ports(t) != 0)
		usage_fail("no usable port (each port needs an address)");
	setup_workers(t);
	/* Lets dpdk-dumpcap (a secondary process) capture our ports into pcapng. */
	if (rte_pdump_init() != 0)
		printf("tcpe: packet capture unavailable: %s\n", rte_strerror(rte_errno));
	if (telemetry_init(t->workers, t->nworkers, &t->cfg) != 0)
		printf("tcpe: telemetry commands not registered (telemetry disabled?)\n");
	banner(t);
	rc = serve(t);
	telemetry_fini();	/* waits for a command in progress: no view of the workers after */
	rte_pdump_uninit();
	rc = teardown(t, rc, &all_closed);
	if (all_closed)
		rte_eal_cleanup();	/* else the exit releases it all (link_close() says why) */
	return rc;
}
