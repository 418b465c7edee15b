package gateway

import (
	"net"
	"net/netip"
	"strings"
)

// TrustedProxies decides whose X-Forwarded-For is believed.
type TrustedProxies []netip.Prefix

// Contains reports whether addr is a trusted proxy.
func (t TrustedProxies) Contains(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range t {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// peerAddr reads the IP of a RemoteAddr such as 1.2.3.4:5678 or [::1]:80.
func peerAddr(remoteAddr string) netip.Addr {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// ClientIP is the address of the client: the peer itself, unless the peer is
// a trusted proxy, in which case X-Forwarded-For is read from the right and
// the first address that is not a trusted proxy wins. Entries a client wrote
// to the left of that are not believed.
func (t TrustedProxies) ClientIP(remoteAddr string, xff []string) netip.Addr {
	peer := peerAddr(remoteAddr)
	if len(t) == 0 || !peer.IsValid() || !t.Contains(peer) {
		return peer
	}
	client := peer
	for i := len(xff) - 1; i >= 0; i-- {
		parts := strings.Split(xff[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return client // a malformed hop: stop at the last one believed
			}
			client = a.Unmap()
			if !t.Contains(client) {
				return client
			}
		}
	}
	return client
}
