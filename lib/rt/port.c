/* port.c - port bring-up: queues per worker, RSS with a symmetric key where the device has it, offloads. */
#include "port.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "rss.h"

RTE_LOG_REGISTER_SUFFIX(port_logtype, port, INFO);
#define PLOG(lvl, ...) rte_log(RTE_LOG_##lvl, port_logtype, "tcpe: port: " __VA_ARGS__)

#define RSS_KEY_MAX 64

/*
 * Write the RETA as entry k -> queue k % nq, so that software (client-mode port choice) knows
 * which queue a hash lands on without trusting a driver's default. Without a usable RETA the
 * port keeps RSS but not a prediction: reta_size stays 0 and the caller steers in software.
 */
static void
program_reta(uint16_t port_id, uint16_t nq, uint16_t size, struct port_info *info)
{
	struct rte_eth_rss_reta_entry64 conf[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
	int rc;

	if (size == 0 || size > RTE_ETH_RSS_RETA_SIZE_512 || (size & (size - 1)) != 0) {
		PLOG(WARNING, "%u: RETA of %u entries not used; steering in software\n", port_id, size);
		return;
	}
	memset(conf, 0, sizeof(conf));
	for (unsigned int k = 0; k < size; k++) {
		conf[k / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (k % RTE_ETH_RETA_GROUP_SIZE);
		conf[k / RTE_ETH_RETA_GROUP_SIZE].reta[k % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)(k % nq);
	}
	rc = rte_eth_dev_rss_reta_update(port_id, conf, size);
	if (rc != 0) {
		PLOG(WARNING, "%u: RETA update refused (%s); steering in software\n", port_id,
		     strerror(-rc));
		return;
	}
	info->reta_size = size;
}

/* RSS over IPv4/TCP and IPv6/TCP with the symmetric key, when the device has it and there are queues to
 * spread over. @p key must outlive the configure call. */
static void
rss_conf(const struct rte_eth_dev_info *di, uint16_t nq, uint8_t *key, struct rte_eth_conf *conf,
	 struct port_info *info)
{
	uint64_t want = (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV6_TCP) &
			di->flow_type_rss_offloads;

	/* The symmetric pattern repeats, so any key length the device wants is symmetric too. */
	for (unsigned int i = 0; i < RSS_KEY_MAX; i++)
		key[i] = rss_symmetric_key[i % 2];
	/*
	 * net_tap lists RSS, but does it with rte_flow rules that need a multiq qdisc; where the
	 * kernel refuses that ("disabling rte flow"), queues are the kernel's per-flow choice, not
	 * our key's. Software steering then gives the owner the hash predicts, so treat tap as
	 * RSS-less.
	 */
	if (strcmp(di->driver_name, "net_tap") == 0)
		want = 0;
	if (nq < 2 || want == 0)
		return;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_key = key;
	conf->rx_adv_conf.rss_conf.rss_key_len =
		di->hash_key_size && di->hash_key_size <= RSS_KEY_MAX ? di->hash_key_size : RSS_KEY_LEN;
	conf->rx_adv_conf.rss_conf.rss_hf =
		want | ((RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6) & di->flow_type_rss_offloads);
	info->rss = true;
}

/* Checksum offloads both ways and chained TX, where offered. */
static void
offload_conf(const struct rte_eth_dev_info *di, struct rte_eth_conf *conf, struct port_info *info)
{
	uint64_t want = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;

	if ((di->rx_offload_capa & want) == want) {
		conf->rxmode.offloads |= want;
		info->rx_cksum = true;
	}
	want = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	if ((di->tx_offload_capa & want) == want) {
		conf->txmode.offloads |= want;
		info->tx_cksum = true;
	}
	if (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		info->tx_multiseg = true;
	}
	/* 802.1Q in the device where it can; in software otherwise (parse.c, txbuf.c) */
	if (info->vlan != 0 && (di->rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP)) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
		info->rx_vlan_strip = true;
	}
	if (info->vlan != 0 && (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT)) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
		info->tx_vlan = true;
	}
}

/*
 * Start @p port_id. A memif client whose server is not there cannot start; when that is because
 * a stop was asked of both sides at once (the server went first), @p stop is raised now or within
 * PORT_STOP_GRACE_MS: the port stays stopped (info->started false) and 0 is returned, as a stop
 * is no failure. (Starting again later does not help: net_memif 22.11 then connects without
 * passing traffic, so a client still needs its server up first.)
 */
static int
start(uint16_t port_id, struct port_info *info, const volatile sig_atomic_t *stop)
{
	int rc = rte_eth_dev_start(port_id);

	if (rc != 0 && stop != NULL && strcmp(info->driver, "net_memif") == 0) {
		for (unsigned int ms = 0; !*stop && ms < PORT_STOP_GRACE_MS; ms += 10)
			rte_delay_us_sleep(10000);
		if (*stop) {
			PLOG(NOTICE, "%u: stopped while its memif peer was going\n", port_id);
			return 0;
		}
	}
	info->started = rc == 0;
	return rc;
}

int
port_desc(uint16_t port_id, uint16_t *nrx, uint16_t *ntx)
{
	return rte_eth_dev_adjust_nb_rx_tx_desc(port_id, nrx, ntx);
}

/* One RX and one TX queue per worker, info->nb_rxd and nb_txd descriptors each (adjusted to the
 * driver's limits and written back), RX buffers from @p mp. */
static int
queues_setup(uint16_t port_id, uint16_t nq, const struct rte_eth_dev_info *di,
	     const struct rte_eth_conf *conf, struct rte_mempool *mp, struct port_info *info)
{
	uint16_t nrx = info->nb_rxd, ntx = info->nb_txd;
	int rc = port_desc(port_id, &nrx, &ntx);

	info->nb_rxd = nrx;
	info->nb_txd = ntx;
	for (uint16_t q = 0; rc == 0 && q < nq; q++) {
		struct rte_eth_rxconf rxc = di->default_rxconf;
		struct rte_eth_txconf txc = di->default_txconf;

		rxc.offloads = conf->rxmode.offloads;
		txc.offloads = conf->txmode.offloads;
		rc = rte_eth_rx_queue_setup(port_id, q, nrx, (unsigned int)info->socket, &rxc,
					    mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, q, ntx, (unsigned int)info->socket,
						    &txc);
		if (rc != 0)
			PLOG(ERR, "%u: queue %u setup failed: %s\n", port_id, q, strerror(-rc));
	}
	return rc;
}

int
port_setup(uint16_t port_id, uint16_t nq, struct rte_mempool *mp, struct port_info *info,
	   const volatile sig_atomic_t *stop)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info di;
	uint8_t key[RSS_KEY_MAX];
	/* the fields the caller fills */
	uint16_t vlan = info->vlan, nb_rxd = info->nb_rxd, nb_txd = info->nb_txd;
	int rc;

	memset(&conf, 0, sizeof(conf));
	memset(info, 0, sizeof(*info));
	info->vlan = vlan;
	info->nb_rxd = nb_rxd != 0 ? nb_rxd : PORT_DESC_DEFAULT;
	info->nb_txd = nb_txd != 0 ? nb_txd : PORT_DESC_DEFAULT;
	rc = rte_eth_dev_info_get(port_id, &di);
	if (rc != 0)
		return rc;
	snprintf(info->driver, sizeof(info->driver), "%s", di.driver_name);
	info->socket = rte_eth_dev_socket_id(port_id);
	if (nq > di.max_rx_queues || nq > di.max_tx_queues) {
		PLOG(ERR, "%u: %s offers %u/%u queues, %u workers need one each\n", port_id,
		     di.driver_name, di.max_rx_queues, di.max_tx_queues, nq);
		return -EINVAL;
	}
	rss_conf(&di, nq, key, &conf, info);
	offload_conf(&di, &conf, info);
	rc = rte_eth_dev_configure(port_id, nq, nq, &conf);
	if (rc != 0 && info->rss) {
		/* Some virtual devices list RSS types but refuse the mode: run without it. */
		PLOG(WARNING, "%u: RSS refused (%s), using one hash-less queue mapping\n", port_id,
		     strerror(-rc));
		memset(&conf.rx_adv_conf, 0, sizeof(conf.rx_adv_conf));
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
		info->rss = false;
		rc = rte_eth_dev_configure(port_id, nq, nq, &conf);
	}
	if (rc != 0) {
		PLOG(ERR, "%u: configure failed: %s\n", port_id, strerror(-rc));
		return rc;
	}
	rc = queues_setup(port_id, nq, &di, &conf, mp, info);
	if (rc == 0)
		rc = start(port_id, info, stop);
	if (rc == 0 && !info->started)
		return 0;	/* stopping before the peer came: nothing more to set up */
	if (rc != 0) {
		PLOG(ERR, "%u: start failed: %s\n", port_id, strerror(-rc));
		return rc;
	}
	rte_eth_macaddr_get(port_id, &info->mac);
	if (info->rss)
		program_reta(port_id, nq, di.reta_size, info);
	return 0;
}

int
port_xstats_get(uint16_t port_id, struct port_xstats *x)
{
	int n = rte_eth_xstats_get_names(port_id, NULL, 0);

	memset(x, 0, sizeof(*x));
	if (n <= 0)
		return n < 0 ? n : 0;
	x->names = calloc((size_t)n, sizeof(*x->names));
	x->vals = calloc((size_t)n, sizeof(*x->vals));
	if (x->names == NULL || x->vals == NULL ||
	    rte_eth_xstats_get_names(port_id, x->names, (unsigned int)n) != n ||
	    rte_eth_xstats_get(port_id, x->vals, (unsigned int)n) != n) {
		port_xstats_free(x);
		return -EIO;
	}
	x->n = n;
	return 0;
}

void
port_xstats_free(struct port_xstats *x)
{
	free(x->names);
	free(x->vals);
	memset(x, 0, sizeof(*x));
}

void
port_teardown(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}
