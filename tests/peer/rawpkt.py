"""rawpkt.py - what the raw-socket peer scripts share: the Internet checksum (RFC 1071)."""
import struct


def csum(data):
    """The one's complement of the one's complement sum of data's 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF
