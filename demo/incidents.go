package demo

import (
	"context"
	"time"

	"assure/domain"
	"assure/store"
)

// incidentSpec is one demo incident: who reported it, when it was detected
// and classified, and how far its provider and the supervisors took it.
// Hours count from the classification, the anchor of the default deadlines
// (initial 4 hours, intermediate 72, final 30 days).
type incidentSpec struct {
	licence, title  string
	detectedDaysAgo float64
	classifyAfter   float64 // hours from detection to classification
	initialAfter    float64 // hours from classification to the initial report
	facts           domain.IncidentFacts
	// The later reports, each filed so many hours after the classification
	// (0: not filed), with what it adds to the facts.
	intermediateAfter float64
	intermediate      func(f domain.IncidentFacts) domain.IncidentFacts
	finalAfter        float64
	final             func(f domain.IncidentFacts) domain.IncidentFacts
	// What a supervisor did last, so many hours after the classification.
	requestAfter, closeAfter float64
	request, closing         string
}

// incidents spread over the last seven months, across kinds of provider,
// threats and channels: major and not, closed, waiting on the supervisor,
// asked for more, one filed late and one overdue, and two fresh ones with
// their initial report only. Nyota (EMI-0004) has none: the incident pages'
// test starts it from an empty list.
var incidents = []incidentSpec{
	{licence: "FTH-0006", title: "Credential stuffing against app accounts", detectedDaysAgo: 210, classifyAfter: 2, initialAfter: 1.5,
		facts: domain.IncidentFacts{Description: "A botnet replays leaked passwords against the app's login; some accounts were taken over.",
			CustomersAffected: 4100, DurationHours: 9, ValueAffected: 3_200_000, Channels: []string{"app"},
			Services: []string{domain.ServiceAccountAccess}, Threats: []string{"T2", "T1"}},
		intermediateAfter: 40, intermediate: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.Description += " Login is now rate-limited per device and every affected password was reset."
			return f
		},
		finalAfter: 26 * 24, final: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.RootCause = "No rate limit on the login and no check of passwords against known breaches."
			f.Losses, f.Recovery = 1_150_000, "Rate limits, breached-password checks and refunds of the 212 customers who lost money."
			return f
		},
		closeAfter: 31 * 24, closing: "Root cause and remedies accepted; refunds checked against the complaint register."},
	{licence: "BNK-0001", title: "Card data skimmed from the online payment page", detectedDaysAgo: 170, classifyAfter: 5, initialAfter: 2,
		facts: domain.IncidentFacts{Description: "Injected script on the card payment page sent card numbers to an outside server.",
			CustomersAffected: 2400, DurationHours: 30, ValueAffected: 18_500_000, DataBreach: true, Channels: []string{"cards"},
			Services: []string{domain.ServiceMerchantPayments}, Threats: []string{"T4", "T12"}},
		intermediateAfter: 60, intermediate: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.Description += " The script came in through a compromised analytics library; the page is rebuilt without it."
			return f
		},
		finalAfter: 20 * 24, final: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.RootCause = "A third-party analytics library loaded from its vendor's server was altered; the page did not pin or check it."
			f.Losses = 4_200_000
			f.Recovery = "Cards reissued to the 2,400 customers, disputed payments refunded, scripts now pinned by hash under a content security policy."
			return f
		},
		closeAfter: 24 * 24, closing: "Final report accepted; the content security policy is to be checked at the next inspection."},
	{licence: "MMO-0002", title: "USSD gateway down under a flood of requests", detectedDaysAgo: 120, classifyAfter: 1, initialAfter: 2.5,
		facts: domain.IncidentFacts{Description: "The USSD and SIM toolkit menus stopped answering during a flood of session requests.",
			CustomersAffected: 850_000, DurationHours: 6.5, ValueAffected: 41_000_000, Channels: []string{"ussd", "stk"},
			Services: []string{domain.ServiceTransfers, domain.ServiceBillPayments}, Threats: []string{"T6"}},
		intermediateAfter: 48, intermediate: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.Description += " The flood came through one aggregator's link, now filtered by the mobile network operator."
			return f
		},
		finalAfter: 25 * 24, final: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.RootCause = "The gateway accepted unlimited sessions per aggregator link and had no upstream filtering."
			f.Recovery = "Session limits per link, filtering at the operator and a second gateway in another data centre."
			return f
		}},
	{licence: "PSP-0003", title: "Merchant API keys published in a public code repository", detectedDaysAgo: 75, classifyAfter: 3, initialAfter: 3,
		facts: domain.IncidentFacts{Description: "A developer pushed a configuration file holding live merchant API keys to a public repository.",
			CustomersAffected: 0, DataBreach: true, Channels: []string{"open_api"}, Services: []string{domain.ServiceMerchantPayments},
			Threats: []string{"T2", "T12"}},
		intermediateAfter: 70, intermediate: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.Description += " Every key in the file is revoked; no payment was made with them."
			return f
		},
		finalAfter: 28 * 24, final: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.RootCause = "Secrets were kept in configuration files in the code repository."
			f.Recovery = "Keys rotated, secrets moved to a vault, a secret scanner blocks pushes."
			return f
		},
		requestAfter: 30 * 24, request: "Send the list of merchants whose keys were rotated and the date each was told."},
	{licence: "ANO-0007", title: "Agent float diverted by an insider", detectedDaysAgo: 40, classifyAfter: 20, initialAfter: 3,
		facts: domain.IncidentFacts{Description: "A regional supervisor moved float from twelve agents' wallets to accounts he controlled.",
			CustomersAffected: 320, DurationHours: 0, ValueAffected: 2_100_000, Channels: []string{"agents"},
			Services: []string{domain.ServiceCashInOut}, Threats: []string{"T7"}},
		intermediateAfter: 50, intermediate: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.Description += " The account is suspended and the matter is with the police."
			return f
		},
		finalAfter: 21 * 24, final: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.RootCause = "One person could both approve and execute float transfers between agents."
			f.Losses, f.Recovery = 2_100_000, "Float restored to the agents from the company's funds; transfers now need a second approver."
			return f
		},
		closeAfter: 23 * 24, closing: "Closed: the four-eyes rule on float transfers is in place."},
	{licence: "MMO-0011", title: "Phishing SMS impersonating the wallet", detectedDaysAgo: 20, classifyAfter: 6, initialAfter: 3.5,
		facts: domain.IncidentFacts{Description: "Customers received SMS with a link to a fake login page asking for their PIN.",
			CustomersAffected: 1300, ValueAffected: 900_000, Channels: []string{"sms"},
			Services: []string{domain.ServiceAccountAccess}, Threats: []string{"T8", "T1"}},
		// Filed eight hours after its deadline.
		intermediateAfter: 80, intermediate: func(f domain.IncidentFacts) domain.IncidentFacts {
			f.Description += " The fake site is taken down; customers were warned by SMS and on the radio."
			return f
		}},
	{licence: "BNK-0010", title: "Ransomware on back-office workstations", detectedDaysAgo: 6, classifyAfter: 4, initialAfter: 2,
		// Its intermediate report is not filed: overdue since three days after its classification.
		facts: domain.IncidentFacts{Description: "Ransomware encrypted twenty back-office workstations; the core banking system is not affected.",
			DurationHours: 3, Channels: []string{"app"}, Services: []string{domain.ServiceSavingsCredit}, Threats: []string{"T13", "T9"}}},
	{licence: "MFI-0005", title: "Agent tablet stolen with customer records", detectedDaysAgo: 2, classifyAfter: 3, initialAfter: 1,
		facts: domain.IncidentFacts{Description: "An agent's tablet holding the records of its customers was stolen; it was not encrypted.",
			CustomersAffected: 640, DataBreach: true, Channels: []string{"agents"}, Services: []string{domain.ServiceSavingsCredit},
			Threats: []string{"T15", "T17"}}},
	{licence: "PSW-0008", title: "Denial of service on the switch's card and API links", detectedDaysAgo: 1.25, classifyAfter: 0.5, initialAfter: 2,
		facts: domain.IncidentFacts{Description: "Card authorisations and API payments failed for two and a half hours under a flood of traffic.",
			CustomersAffected: 120_000, DurationHours: 2.5, ValueAffected: 65_000_000, Channels: []string{"cards", "open_api"},
			Services: []string{domain.ServiceMerchantPayments, domain.ServiceTransfers}, Threats: []string{"T6"}}},
}

// incidents reports the demo incidents that are not there yet and takes
// each as far as its spec says, through the store's own rules. Each report
// is filed at the instant the spec gives, counted back from now on the
// store's clock, which is set for the filing and put back afterwards.
func (l *loader) incidents(ctx context.Context, reporters map[string]domain.Actor, sup domain.Actor) error {
	existing, err := store.All(func(p store.Page) ([]domain.Incident, string, error) {
		return l.db.Incidents(ctx, l.system, store.IncidentFilter{}, p)
	})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, i := range existing {
		have[i.Title] = true
	}
	now := l.db.Now().Truncate(time.Hour)
	previous := l.db.SetNow(nil)
	defer l.db.SetNow(previous)
	at := func(t time.Time) { l.db.SetNow(func() time.Time { return t }) }
	hours := func(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }
	for _, s := range incidents {
		if have[s.title] {
			continue
		}
		reporter := reporters[s.licence]
		detected := now.Add(-hours(s.detectedDaysAgo * 24))
		classified := detected.Add(hours(s.classifyAfter))
		after := func(h float64) time.Time { return classified.Add(hours(h)) }
		at(after(s.initialAfter))
		inc, err := l.db.ReportIncident(ctx, reporter, domain.NewIncident{ProviderID: reporter.ProviderID, Title: s.title,
			DetectedAt: detected, ClassifiedAt: classified, Facts: s.facts})
		if err != nil {
			return err
		}
		facts := s.facts
		if s.intermediate != nil {
			facts = s.intermediate(facts)
			at(after(s.intermediateAfter))
			if _, err := l.db.FileIncidentReport(ctx, reporter, inc.ID, domain.PhaseIntermediate, facts, 0); err != nil {
				return err
			}
		}
		if s.final != nil {
			facts = s.final(facts)
			at(after(s.finalAfter))
			if _, err := l.db.FileIncidentReport(ctx, reporter, inc.ID, domain.PhaseFinal, facts, 0); err != nil {
				return err
			}
		}
		if s.request != "" {
			at(after(s.requestAfter))
			if _, err := l.db.RequestIncidentInformation(ctx, sup, inc.ID, s.request, 0); err != nil {
				return err
			}
		}
		if s.closing != "" {
			at(after(s.closeAfter))
			if _, err := l.db.CloseIncident(ctx, sup, inc.ID, s.closing, 0); err != nil {
				return err
			}
		}
	}
	return nil
}
