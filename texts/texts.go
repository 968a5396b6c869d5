// Package texts holds the message catalogs of the languages Assure speaks and
// the printer that formats messages, numbers and dates in one of them. The
// pages and the reports each bring their own catalog files; the words both
// use (states, answers, levels, months) live here once.
//
// English is the key of every message. Each other language has a folder of
// JSON files mapping those keys to its text; a key may be translated in only
// one file, so two parts never disagree about a word.
package texts

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"assure/domain"
)

//go:embed common
var commonFiles embed.FS

// Tags maps the languages to their BCP 47 tags.
var Tags = map[domain.Language]language.Tag{domain.English: language.English, domain.French: language.French}

// Catalog is the messages of every language, from the common files and one
// caller's files.
type Catalog struct {
	builder *catalog.Builder
	keys    map[domain.Language]map[string]bool
}

// Load reads the common catalog and the files root/<language>/*.json of fsys.
func Load(fsys fs.FS, root string) (*Catalog, error) {
	c := &Catalog{builder: catalog.NewBuilder(catalog.Fallback(language.English)), keys: map[domain.Language]map[string]bool{}}
	for _, l := range domain.Languages {
		if l == domain.English {
			continue
		}
		c.keys[l] = map[string]bool{}
		for _, src := range []struct {
			fsys fs.FS
			dir  string
		}{{commonFiles, "common"}, {fsys, root}} {
			files, err := fs.Glob(src.fsys, path.Join(src.dir, string(l), "*.json"))
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				if err := c.add(src.fsys, f, l); err != nil {
					return nil, err
				}
			}
		}
	}
	return c, nil
}

func (c *Catalog) add(fsys fs.FS, file string, l domain.Language) error {
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return err
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for k, v := range m {
		if c.keys[l][k] {
			return fmt.Errorf("%s: %q is translated twice", file, k)
		}
		if err := c.builder.SetString(Tags[l], k, v); err != nil {
			return fmt.Errorf("%s: %q: %w", file, k, err)
		}
		c.keys[l][k] = true
	}
	return nil
}

// Has reports whether the catalog translates key into l. English has every
// key.
func (c *Catalog) Has(l domain.Language, key string) bool {
	return l == domain.English || c.keys[l][key]
}

// Printer returns a printer of l.
func (c *Catalog) Printer(l domain.Language) Printer {
	if !l.Valid() {
		l = domain.English
	}
	return Printer{lang: l, p: message.NewPrinter(Tags[l], message.Catalog(c.builder))}
}

// Printer formats messages, numbers and dates in one language.
type Printer struct {
	lang domain.Language
	p    *message.Printer
}

// T returns the message whose English text is key, in the printer's
// language, with args formatted into it.
func (p Printer) T(key string, args ...any) string { return p.p.Sprintf(key, args...) }

// Say returns a message that came from below (a domain rule's words) in the
// printer's language when the catalogs know it, and as it is otherwise.
func (p Printer) Say(s string) string { return p.p.Sprintf(strings.ReplaceAll(s, "%", "%%")) }

// Number formats an integer for the language (1,234 or 1 234).
func (p Printer) Number(n int) string { return p.p.Sprintf("%d", n) }

// Months are the months' English names, the keys of their translations.
var Months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December"}

// Date formats a date for the language: 2 March 2027, 2 mars 2027.
func (p Printer) Date(d domain.Date) string {
	t := d.Time()
	return fmt.Sprintf("%d %s %d", t.Day(), p.T(Months[t.Month()-1]), t.Year())
}

// Time formats an instant, in UTC, for the language.
func (p Printer) Time(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s %02d:%02d UTC", p.Date(domain.DateOf(t)), t.Hour(), t.Minute())
}

// Lang is the printer's language code, for the html lang attribute.
func (p Printer) Lang() string { return string(p.lang) }

// Language is the printer's language.
func (p Printer) Language() domain.Language { return p.lang }

// Names are the words of the states, answers, verdicts and levels, by code.
// A code is a plain string, or a typed value of the domain where two
// vocabularies share a code and mean different things by it: the incident
// criterion "channels" is not the provider's figure "channels", and the phase
// "initial" is said in a notice's sentence ("the initial report") but named
// "Initial report" on its own. A typed key wins over the plain code.
var Names = map[any]string{
	"draft": "Draft", "submitted": "Submitted", "in_review": "In review", "changes_requested": "Changes requested",
	"approved": "Approved", "rejected": "Rejected",
	"implemented": "Implemented", "partial": "Partially implemented", "not_implemented": "Not implemented",
	"not_applicable": "Not applicable",
	"accepted":       "Accepted", "needs_info": "Needs information",
	"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical",
	"open": "Open", "in_progress": "In progress", "resolved": "Resolved", "verified": "Verified",
	"not_started": "Not started",
	"closed":      "Closed",
	"equal":       "is equal to", "subset_of": "is a subset of", "superset_of": "is a superset of",
	"intersects_with": "intersects with", "not_related": "is not related to",
	"pass": "Pass", "fail": "Fail", "conditions": "Approved with conditions", "refused": "Refused",
	"android": "Android", "ios": "iOS", "ussd": "USSD", "stk": "SIM toolkit (STK)",
	"self_attested": "Self-attested", "documented": "Documented", "tested": "Tested",
	"initial": "initial", "intermediate": "intermediate", "final": "final",
	"customers": "Customers", "active_accounts": "Active accounts", "transactions": "Transactions in the last 12 months",
	"transaction_value": "Value of those transactions (millions)", "agents": "Agents and merchants",
	"channels": "Channels offered", "third_parties": "Critical third parties", "interconnections": "Interconnections",
	"market_share": "Share of the national market, in percent",

	domain.PhaseInitial: "Initial report", domain.PhaseIntermediate: "Intermediate report", domain.PhaseFinal: "Final report",
	domain.IncidentOpen: "Open", domain.IncidentInformationRequested: "Information requested",
	domain.IncidentFinalFiled: "Final report filed", domain.IncidentClosed: "Closed by the supervisor",
	domain.ClockRunning: "Running", domain.ClockOverdue: "Overdue", domain.ClockMet: "Filed on time", domain.ClockLate: "Filed late",
	domain.ClockStopped: "Stopped", domain.CriterionCrossBorder: "Cross-border",
	domain.CriterionCustomers: "Customers affected", domain.CriterionDuration: "Duration",
	domain.CriterionValue: "Value of transactions affected", domain.CriterionDataBreach: "Data breach",
	domain.CriterionChannels: "Channels affected", domain.CriterionServices: "Services affected",
	domain.ServiceTransfers: "Person-to-person transfers", domain.ServiceMerchantPayments: "Merchant payments",
	domain.ServiceBillPayments: "Bill payments", domain.ServiceCashInOut: "Cash-in and cash-out",
	domain.ServiceRemittances: "International remittances", domain.ServiceSavingsCredit: "Savings and credit",
	domain.ServiceAccountAccess: "Account access",
}

// Name returns the name of a state, answer, verdict or severity code in the
// printer's language.
func (p Printer) Name(code any) string {
	if code != nil && reflect.TypeOf(code).Comparable() {
		if n, ok := Names[code]; ok {
			return p.T(n)
		}
	}
	s := fmt.Sprint(code)
	if n, ok := Names[s]; ok {
		return p.T(n)
	}
	return s
}

// ProviderKindName names a kind of provider in the printer's language.
func (p Printer) ProviderKindName(k domain.ProviderKind) string {
	switch k {
	case domain.KindBank:
		return p.T("Bank")
	case domain.KindMobileMoneyOperator:
		return p.T("Mobile money operator")
	case domain.KindPSP:
		return p.T("Payment service provider")
	case domain.KindEMI:
		return p.T("E-money issuer")
	case domain.KindMFI:
		return p.T("Microfinance institution")
	case domain.KindFintech:
		return p.T("Fintech")
	case domain.KindAgentNetwork:
		return p.T("Agent network operator")
	case domain.KindPaymentSwitch:
		return p.T("Payment switch")
	case domain.KindMNO:
		return p.T("Mobile network operator (no DFS of its own)")
	}
	return string(k)
}

// ProviderChannelName names a channel in the printer's language.
func (p Printer) ProviderChannelName(c string) string {
	switch c {
	case domain.ChannelApp:
		return p.T("Mobile app")
	case domain.ChannelUSSD:
		return p.T("USSD")
	case domain.ChannelSMS:
		return p.T("SMS")
	case domain.ChannelSTK:
		return p.T("SIM toolkit")
	case domain.ChannelAgents:
		return p.T("Agents")
	case domain.ChannelCards:
		return p.T("Cards")
	case domain.ChannelQR:
		return p.T("QR codes")
	case domain.ChannelOpenAPI:
		return p.T("Open API")
	case domain.ChannelWeb:
		return p.T("Web")
	case domain.ChannelIVR:
		return p.T("Interactive voice response")
	}
	return c
}

// ProviderChannelNames names a provider's channels, or says it has none.
func (p Printer) ProviderChannelNames(channels []string) string {
	if len(channels) == 0 {
		return p.T("None")
	}
	names := make([]string, len(channels))
	for i, c := range channels {
		names[i] = p.ProviderChannelName(c)
	}
	return strings.Join(names, ", ")
}

// ProviderStatusName names a provider's status in the printer's language.
func (p Printer) ProviderStatusName(s domain.ProviderStatus) string {
	switch s {
	case domain.ProviderActive:
		return p.T("Active")
	case domain.ProviderSuspended:
		return p.T("Suspended")
	case domain.ProviderExited:
		return p.T("Exited")
	}
	return string(s)
}

// ProviderTierName names a systemic tier.
func (p Printer) ProviderTierName(tier int) string {
	switch tier {
	case 1:
		return p.T("Tier 1 (systemic)")
	case 2:
		return p.T("Tier 2")
	case 3:
		return p.T("Tier 3 (low)")
	}
	return strconv.Itoa(tier)
}

// Decimal formats x with the given number of decimals and the language's
// decimal mark (12.5, 12,5), rounding halves away from zero as spreadsheets
// do, so a figure reads the same in a PDF and in a workbook (81.25 → 81.3).
func (p Printer) Decimal(x float64, places int) string {
	scale := math.Pow(10, float64(places))
	return p.p.Sprintf("%.*f", places, math.Round(x*scale)/scale)
}
