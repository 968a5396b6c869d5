package domain

import (
	"fmt"
	"slices"
	"strings"
)

// Which controls a provider must answer, and which threats concern it, is
// decided here and nowhere else.
//
// The rule:
//
//  1. A provider plays implementer roles. Every provider but a mobile
//     network operator that offers no DFS itself is a DFS provider; that
//     operator plays the mobile network operator's role alone.
//     By kind: a mobile money operator also answers for the mobile network
//     operator (MNO-led model); banks, PSPs, fintechs, agent network operators
//     and payment switches also act as third parties in others' value chains;
//     PSPs and payment switches answer for PSP controls; agent network
//     operators for merchant and agent controls. By channel: offering an app
//     makes the provider answer for its app developer; offering agents, cards
//     or QR payments makes it answer for the merchants and agents it enrols.
//  2. A provider operates value-chain stages: always the customer, its own
//     DFS systems and its third parties; the mobile device and SIM when it
//     reaches customers by app, USSD, SMS or SIM toolkit; the mobile network
//     when it is a mobile money operator or a mobile network operator or
//     uses USSD, SMS or SIM toolkit; a mobile network operator offering no
//     DFS operates the device and SIM and the network, and its customers.
//     A threat concerns the provider when it targets a stage it operates.
//  3. A control is assessed for the provider when
//     - it is not implemented only by end users, device makers or
//     regulators (a regulator's part of a recommendation is guidance for
//     the supervisor, not a question to providers),
//     - its primary threat concerns the provider (a framework without
//     threats, a checklist, has none to test),
//     - when the control names channels, the provider offers one of them, and
//     - the provider plays one of its implementer roles, or the control names
//     channels the provider offers (so a USSD control implemented by the MNO
//     is answered by every provider that runs USSD).

// Implementer ids of the catalog that the rule refers to.
const (
	ImplDFSProvider  = "dfs_provider"
	ImplMNO          = "mno"
	ImplThirdParty   = "third_party"
	ImplAppDeveloper = "app_developer"
	ImplPSP          = "psp"
	ImplMerchant     = "merchant"
	ImplSupplier     = "supplier"
	ImplUser         = "user"
	ImplDeviceMaker  = "device_maker"
	ImplRegulator    = "regulator"
)

// Stage ids of the catalog that the rule refers to.
const (
	StageCustomer    = "customer"
	StageDevice      = "device"
	StageMNO         = "mno"
	StageDFSProvider = "dfs_provider"
	StageThirdParty  = "third_party"
)

// Profile is what the rule needs to know of a provider.
type Profile struct {
	Kind     ProviderKind
	Channels []string
}

// ProfileOf returns the provider's profile.
func ProfileOf(p Provider) Profile { return Profile{Kind: p.Kind, Channels: p.Channels} }

func (p Profile) offersAny(channels ...string) bool {
	for _, c := range channels {
		if slices.Contains(p.Channels, c) {
			return true
		}
	}
	return false
}

// Roles returns the implementer roles the provider answers for.
func (p Profile) Roles() []string {
	if p.Kind == KindMNO {
		return []string{ImplMNO}
	}
	roles := []string{ImplDFSProvider}
	switch p.Kind {
	case KindMobileMoneyOperator:
		roles = append(roles, ImplMNO)
	case KindBank, KindFintech:
		roles = append(roles, ImplThirdParty)
	case KindPSP, KindPaymentSwitch:
		roles = append(roles, ImplThirdParty, ImplPSP)
	case KindAgentNetwork:
		roles = append(roles, ImplThirdParty, ImplMerchant)
	}
	if p.offersAny(ChannelApp) {
		roles = append(roles, ImplAppDeveloper)
	}
	if p.offersAny(ChannelAgents, ChannelCards, ChannelQR) && !slices.Contains(roles, ImplMerchant) {
		roles = append(roles, ImplMerchant)
	}
	return roles
}

// Stages returns the value-chain stages the provider operates.
func (p Profile) Stages() []string {
	if p.Kind == KindMNO {
		return []string{StageCustomer, StageDevice, StageMNO}
	}
	stages := []string{StageCustomer, StageDFSProvider, StageThirdParty}
	if p.offersAny(ChannelApp, ChannelUSSD, ChannelSMS, ChannelSTK) {
		stages = append(stages, StageDevice)
	}
	if p.Kind == KindMobileMoneyOperator || p.offersAny(ChannelUSSD, ChannelSMS, ChannelSTK) {
		stages = append(stages, StageMNO)
	}
	return stages
}

// ThreatApplies reports whether threat t concerns the provider.
func (p Profile) ThreatApplies(t Threat) bool {
	stages := p.Stages()
	for _, s := range t.Stages {
		if slices.Contains(stages, s) {
			return true
		}
	}
	return false
}

// Assessed reports whether a control is ever assessed: controls carried out
// only by end users, device makers or regulators are not.
func Assessed(c Control) bool {
	for _, m := range c.Implementers {
		if m != ImplUser && m != ImplDeviceMaker && m != ImplRegulator {
			return true
		}
	}
	return false
}

// ControlApplies reports whether the provider must answer control c, whose
// primary threat is t (none when the framework has no threats).
func (p Profile) ControlApplies(c Control, t Threat) bool {
	if !Assessed(c) || (c.PrimaryThreat != "" && !p.ThreatApplies(t)) {
		return false
	}
	if len(c.Channels) > 0 {
		return p.offersAny(c.Channels...)
	}
	roles := p.Roles()
	for _, m := range c.Implementers {
		if slices.Contains(roles, m) {
			return true
		}
	}
	return false
}

// InLevel reports whether control c is asked at level: every control is
// when no level is chosen.
func InLevel(c Control, level string) bool {
	return level == "" || slices.Contains(c.Levels, level)
}

// CheckLevel reports a level f does not offer, located at loc.
func CheckLevel(f *Framework, level, loc string) []Problem {
	if level == "" || slices.ContainsFunc(f.Levels, func(l Level) bool { return l.ID == level }) {
		return nil
	}
	if len(f.Levels) == 0 {
		return []Problem{{Location: loc, Message: fmt.Sprintf("framework %s %s has no levels to choose from", f.ID, f.Version)}}
	}
	ids := make([]string, len(f.Levels))
	for i, l := range f.Levels {
		ids[i] = l.ID
	}
	return []Problem{{Location: loc, Message: fmt.Sprintf("level %q is not one of %s", level, strings.Join(ids, ", "))}}
}

// ApplicableControls returns the ids of the controls of f the provider must
// answer at level (a level of f, or "" for all of them), in catalog order.
func (p Profile) ApplicableControls(f *Framework, level string) []string {
	threats := map[string]Threat{}
	for _, t := range f.Threats {
		threats[t.ID] = t
	}
	var out []string
	for _, c := range f.Controls {
		if InLevel(c, level) && p.ControlApplies(c, threats[c.PrimaryThreat]) {
			out = append(out, c.ID)
		}
	}
	return out
}
