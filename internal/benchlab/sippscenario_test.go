//go:build benchlab && linux

package benchlab

// Pieces of the sipp UAS scenarios of the benchmarks (dialerbench's
// peerScenario, janusbench's confUASScenario): the same answer and the
// same reply to BYE, written once.

// sippContact is the Contact header line of sipp's responses.
const sippContact = "      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>\n"

// sippAnswerPCMU is the <send> of a sipp UAS's 200 OK to an INVITE,
// retransmitted until the ACK, with an SDP answer of PCMU (20 ms packets)
// on sipp's [media_port]. Its To tag is [pid]<mark>[call_number];
// recordRoute copies the INVITE's Record-Route (a UAS behind a proxy).
func sippAnswerPCMU(mark string, recordRoute bool) string {
	rr := ""
	if recordRoute {
		rr = "      [last_Record-Route:]\n"
	}
	return `  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
` + rr + `      [last_From:]
      [last_To:];tag=[pid]` + mark + `[call_number]
      [last_Call-ID:]
      [last_CSeq:]
` + sippContact + `      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      a=ptime:20

    ]]>
  </send>
`
}

// sippByeOK waits for the BYE and answers it 200 OK, with sipp's Contact
// when contact is set.
func sippByeOK(contact bool) string {
	c := ""
	if contact {
		c = sippContact
	}
	return `  <recv request="BYE"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
` + c + `      Content-Length: 0

    ]]>
  </send>
`
}
