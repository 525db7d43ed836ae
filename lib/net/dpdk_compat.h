/* dpdk_compat.h - the one place where DPDK releases' API differences (22.11 to 25.11) are bridged. */
#ifndef TCPE_DPDK_COMPAT_H
#define TCPE_DPDK_COMPAT_H

/*
 * tcpe is written against the newest names; this header supplies them on older releases, so the
 * code has no version checks of its own. Include it after the DPDK headers it amends.
 */
#include <rte_version.h>

/* 23.07 named ICMP types RTE_ICMP_TYPE_* and deprecated RTE_IP_ICMP_ECHO_* (rte_icmp.h). */
#if RTE_VERSION < RTE_VERSION_NUM(23, 7, 0, 0)
#define RTE_ICMP_TYPE_ECHO_REPLY 0
#define RTE_ICMP_TYPE_ECHO_REQUEST 8
#endif

/* 23.03 added rte_tel_data_add_dict_uint and deprecated the _u64 one (rte_telemetry.h). */
#if RTE_VERSION < RTE_VERSION_NUM(23, 3, 0, 0)
#define rte_tel_data_add_dict_uint rte_tel_data_add_dict_u64
#endif

#endif
