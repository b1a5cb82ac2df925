package media

// Direction is an SDP media direction attribute (RFC 4566 §6, RFC 3264 §5.1)
// from the point of view of the side that declares it.
type Direction string

const (
	// DirSendRecv sends and receives media.
	DirSendRecv Direction = "sendrecv"
	// DirSendOnly only sends (the declaring side puts the other on hold).
	DirSendOnly Direction = "sendonly"
	// DirRecvOnly only receives.
	DirRecvOnly Direction = "recvonly"
	// DirInactive neither sends nor receives.
	DirInactive Direction = "inactive"
)

// String returns the SDP attribute name.
func (d Direction) String() string { return string(d) }

// Reverse returns the direction an answerer uses for an offer of d when it
// is itself willing to send and receive (RFC 3264 §6.1): sendonly becomes
// recvonly and vice versa.
func (d Direction) Reverse() Direction {
	switch d {
	case DirSendOnly:
		return DirRecvOnly
	case DirRecvOnly:
		return DirSendOnly
	case DirInactive:
		return DirInactive
	}
	return DirSendRecv
}

// CanSend reports whether the declaring side sends media.
func (d Direction) CanSend() bool { return d == DirSendRecv || d == DirSendOnly }

// CanRecv reports whether the declaring side receives media.
func (d Direction) CanRecv() bool { return d == DirSendRecv || d == DirRecvOnly }

// Valid reports whether d is one of the four directions.
func (d Direction) Valid() bool {
	switch d {
	case DirSendRecv, DirSendOnly, DirRecvOnly, DirInactive:
		return true
	}
	return false
}

func makeDirection(send, recv bool) Direction {
	switch {
	case send && recv:
		return DirSendRecv
	case send:
		return DirSendOnly
	case recv:
		return DirRecvOnly
	}
	return DirInactive
}

// intersect returns our answer direction for an offered direction given
// our own willingness local.
func intersect(local, offered Direction) Direction {
	return makeDirection(local.CanSend() && offered.CanRecv(), local.CanRecv() && offered.CanSend())
}
