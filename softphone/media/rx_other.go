//go:build !(linux && (amd64 || arm64 || riscv64 || ppc64le || s390x || loong64))

package media

import (
	"errors"
	"net"
	"net/netip"
)

// rtpSock is the RTP socket outside Linux: the net.UDPConn itself, read by
// a goroutine blocked in read (rtpReadLoop). rx_poll.go polls it from the
// media tick instead.
type rtpSock struct {
	conn *net.UDPConn
	buf  [maxPacket]byte
}

func (r *rtpSock) init(_ *Session, conn *net.UDPConn) error { r.conn = conn; return nil }

func (r *rtpSock) close() error { return r.conn.Close() }

func (r *rtpSock) send(b []byte, dst netip.AddrPort) error {
	_, err := r.conn.WriteToUDPAddrPort(b, dst)
	return err
}

// drainRTP has nothing to do here: rtpReadLoop hands each datagram on.
func (s *Session) drainRTP() {}

// startReader starts the goroutine that reads RTP.
func (s *Session) startReader() {
	s.wg.Add(1)
	go s.rtpReadLoop()
}

func (s *Session) rtpReadLoop() {
	defer s.wg.Done()
	for {
		n, src, err := s.sock.conn.ReadFromUDPAddrPort(s.sock.buf[:])
		if err != nil {
			if s.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.handleRTP(s.sock.buf[:n], src, s.opt.clock.Now())
	}
}
