package domain

import "slices"

// Channels through which a provider serves its customers.
const (
	ChannelApp     = "app"
	ChannelUSSD    = "ussd"
	ChannelSMS     = "sms"
	ChannelSTK     = "stk"
	ChannelAgents  = "agents"
	ChannelCards   = "cards"
	ChannelQR      = "qr"
	ChannelOpenAPI = "open_api"
	ChannelWeb     = "web"
	ChannelIVR     = "ivr"
)

// Channels lists every channel in display order.
var Channels = []string{ChannelApp, ChannelUSSD, ChannelSMS, ChannelSTK, ChannelAgents, ChannelCards, ChannelQR, ChannelOpenAPI, ChannelWeb, ChannelIVR}

// ValidChannel reports whether c is a known channel.
func ValidChannel(c string) bool { return slices.Contains(Channels, c) }
