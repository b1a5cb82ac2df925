//go:build linux && (amd64 || arm64 || riscv64 || ppc64le || s390x || loong64)

package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
	"unsafe"
)

// maxDrain bounds the packets taken in one tick (a flood must not starve
// sending and playout; the rest waits for the next tick).
const maxDrain = 32

// rtpSock is the RTP socket on Linux: a plain non-blocking UDP descriptor
// that the media tick drives itself, outside Go's network poller.
//
//   - Each tick drains what has arrived with recvmmsg(2, MSG_DONTWAIT) and
//     sends its frame with sendto(2, MSG_DONTWAIT). Neither can block, so
//     they are raw system calls that never hand the P to the scheduler, and
//     receiving costs no wake-up of its own (a descriptor in the poller
//     would wake it on every datagram even with nobody reading).
//   - The kernel stamps each datagram on arrival (SO_TIMESTAMPNS, see
//     socket(7)), so the jitter estimate (RFC 3550 A.8) and the jitter
//     buffer see when a packet really arrived, not when the tick read it.
//
// Timer-driven media engines read RTP the same way (FreeSWITCH's
// switch_rtp reads in the session thread on its timer). The Session's
// tickMu serialises Tick with Close, so the descriptor is never used after
// it is closed.
type rtpSock struct {
	fd     int
	realTS bool // kernel timestamps are usable (the session's clock is real)

	// One recvmmsg(2) takes up to rxBatch datagrams, each into its own
	// buffer with its own source address and timestamp.
	msgs [rxBatch]mmsghdr
	iov  [rxBatch]syscall.Iovec
	name [rxBatch]syscall.RawSockaddrAny
	oob  [rxBatch][64]byte
	buf  [rxBatch][maxPacket]byte
	to   syscall.RawSockaddrInet6 // sendto destination, large enough for both families

	// Result of the last take.
	n     int // -1: nothing
	trunc bool
	src   netip.AddrPort
	at    time.Time
	hasAt bool
}

// rxBatch is how many datagrams one recvmmsg(2) takes. A leg gets one per
// frame, so one system call per frame usually drains the socket (one
// recvmsg(2) per datagram took two: the datagram, then EAGAIN).
const rxBatch = 4

// mmsghdr is struct mmsghdr (recvmmsg(2)) on 64-bit Linux: the msghdr,
// the length received, padding to 8 bytes.
type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
	_   [4]byte
}

// init takes over conn's socket: it keeps a duplicate descriptor and
// closes conn, which removes it from the network poller.
func (r *rtpSock) init(s *Session, conn *net.UDPConn) error {
	rc, err := conn.SyscallConn()
	if err != nil {
		return fmt.Errorf("rtp socket: %w", err)
	}
	fd, serr := -1, error(nil)
	if err := rc.Control(func(raw uintptr) {
		if fd, serr = syscall.Dup(int(raw)); serr != nil {
			return
		}
		syscall.CloseOnExec(fd)
		serr = syscall.SetNonblock(fd, true)
	}); err != nil {
		return fmt.Errorf("rtp socket: %w", err)
	}
	if serr != nil {
		if fd >= 0 {
			syscall.Close(fd)
		}
		return fmt.Errorf("rtp socket: %w", serr)
	}
	if err := conn.Close(); err != nil {
		syscall.Close(fd)
		return fmt.Errorf("rtp socket: %w", err)
	}
	_, r.realTS = s.opt.clock.(realClock)
	if syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1) != nil {
		r.realTS = false // arrival is then the tick's time
	}
	r.fd = fd
	for i := range r.msgs {
		r.iov[i].Base = &r.buf[i][0]
		r.iov[i].SetLen(maxPacket)
		h := &r.msgs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&r.name[i]))
		h.Iov = &r.iov[i]
		h.Iovlen = 1
		h.Control = &r.oob[i][0]
	}
	return nil
}

func (r *rtpSock) close() error {
	if r.fd < 0 {
		return nil
	}
	err := syscall.Close(r.fd)
	r.fd = -1
	return err
}

// recv does one non-blocking recvmmsg(2) into the batch's buffers and
// returns how many datagrams it took (0 when none is waiting).
func (r *rtpSock) recv() int {
	for i := range r.msgs {
		h := &r.msgs[i].hdr
		h.Namelen = uint32(unsafe.Sizeof(r.name[i]))
		h.SetControllen(len(r.oob[i]))
		h.Flags = 0
		r.msgs[i].len = 0
	}
	n, _, errno := syscall.RawSyscall6(syscall.SYS_RECVMMSG, uintptr(r.fd), uintptr(unsafe.Pointer(&r.msgs[0])), rxBatch,
		syscall.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0 // EAGAIN: drained; anything else: try again next tick
	}
	return int(n)
}

// take sets n, trunc, src, at and hasAt from datagram i of the last recv.
func (r *rtpSock) take(i int) {
	m := &r.msgs[i]
	r.n, r.hasAt = int(m.len), false
	r.trunc = m.hdr.Flags&syscall.MSG_TRUNC != 0
	raw := (*[unsafe.Sizeof(r.name[i])]byte)(unsafe.Pointer(&r.name[i]))
	port := binary.BigEndian.Uint16(raw[2:4])
	switch r.name[i].Addr.Family {
	case syscall.AF_INET:
		r.src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(raw[4:8])), port)
	case syscall.AF_INET6:
		r.src = netip.AddrPortFrom(netip.AddrFrom16([16]byte(raw[8:24])).Unmap(), port)
	default:
		r.src = netip.AddrPort{}
	}
	if r.realTS && int(m.hdr.Controllen) >= syscall.CmsgLen(int(unsafe.Sizeof(syscall.Timespec{}))) {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&r.oob[i][0]))
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SCM_TIMESTAMPNS {
			ts := (*syscall.Timespec)(unsafe.Pointer(&r.oob[i][syscall.CmsgLen(0)]))
			r.at, r.hasAt = time.Unix(ts.Unix()), true
		}
	}
}

// errSend is returned by send for a failed sendto; the errno is counted,
// not reported, on the hot path.
var errSend = errors.New("media: rtp send failed")

// send writes one datagram to dst with a non-blocking sendto.
func (r *rtpSock) send(b []byte, dst netip.AddrPort) error {
	if r.fd < 0 || len(b) == 0 {
		return errSend
	}
	raw := (*[unsafe.Sizeof(r.to)]byte)(unsafe.Pointer(&r.to))
	var salen uintptr
	a := dst.Addr()
	if a.Is4() {
		sa := (*syscall.RawSockaddrInet4)(unsafe.Pointer(&r.to))
		sa.Family = syscall.AF_INET
		sa.Addr = a.As4()
		salen = syscall.SizeofSockaddrInet4
	} else {
		r.to.Family = syscall.AF_INET6
		r.to.Addr = a.As16()
		r.to.Flowinfo, r.to.Scope_id = 0, 0
		salen = syscall.SizeofSockaddrInet6
	}
	binary.BigEndian.PutUint16(raw[2:4], dst.Port())
	_, _, errno := syscall.RawSyscall6(syscall.SYS_SENDTO, uintptr(r.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		syscall.MSG_DONTWAIT, uintptr(unsafe.Pointer(&r.to)), salen)
	if errno != 0 {
		return errSend
	}
	return nil
}

// drainRTP hands every datagram waiting on the RTP socket (up to
// maxDrain) to handleRTP, rxBatch per system call. It runs in Tick and
// does not allocate.
func (s *Session) drainRTP() {
	r := &s.sock
	for got := 0; got < maxDrain; {
		n := r.recv()
		for i := range n {
			r.take(i)
			if r.trunc {
				s.st.malformed.Add(1)
				continue
			}
			at := r.at
			if !r.hasAt {
				at = s.opt.clock.Now()
			}
			s.handleRTP(r.buf[i][:r.n], r.src, at)
		}
		if n < rxBatch {
			return // the socket is drained
		}
		got += n
	}
}

// startReader starts nothing here: Tick drains the socket.
func (s *Session) startReader() {}
