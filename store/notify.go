package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"assure/domain"
)

// MailJobArgs asks a worker to send the e-mails that are due. Every
// transaction that queues e-mails queues one, so they go out at once; a
// periodic one picks up retries and the claims of workers that died.
type MailJobArgs struct{}

// Kind names the work for the job queue.
func (MailJobArgs) Kind() string { return "mail_outbox" }

// NoticeQueue is the job queue of e-mail and reminders, apart from the
// reports', so a long report never holds an e-mail back.
const NoticeQueue = "notices"

// InsertOpts keep a failing run from being retried for long (the next
// transaction that writes e-mails, or the periodic run, tries again) and put
// it on the notices' queue.
func (MailJobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, Queue: NoticeQueue}
}

// joined is true of a user u who has joined: everyone but the invited who
// have not yet chosen a password or signed in by single sign-on. Notices
// about the work reach only those who joined; their own invitation reaches
// them as a notice to the one user.
const joined = `(u.password_hash <> '' or not exists (select 1 from link_tokens l
	where l.user_id = u.id and l.purpose = 'invitation' and l.used_at is null and l.revoked_at is null))`

// notify writes notices in the transaction of the change that causes them,
// so that a notification and its e-mail exist exactly when the change does.
// For each recipient that a notice's rule names (domain.NoticeRule), it
// writes a row in their notification centre and one in the e-mail outbox,
// as their preferences allow; a notice whose key was written before, in
// this transaction or any other, is dropped whole. Adding a kind of notice
// changes nothing here: its rule says who hears of it, package notices
// what they read.
func (t *txn) notify(ctx context.Context, notices ...domain.Notice) error {
	var kinds, audiences, providers, recipients, otypes, oids, keys, params, links []string
	var inApp, mandatory []bool
	seen := map[string]bool{}
	for _, n := range notices {
		rule, ok := domain.NoticeRuleOf(n.Kind)
		if !ok {
			return fmt.Errorf("notify: no rule for notice kind %q", n.Kind)
		}
		if n.Key != "" {
			if seen[n.Key] {
				continue
			}
			seen[n.Key] = true
		}
		switch {
		case rule.Audience == domain.AudienceUser && !isUUID(n.UserID),
			(rule.Audience == domain.AudienceProvider || rule.Audience == domain.AudienceProviderAdmins) && !isUUID(n.ProviderID),
			rule.Audience == domain.AudienceSecondApprovers && !isUUID(n.ObjectID),
			n.ProviderID != "" && !isUUID(n.ProviderID), n.LinkID != "" && !isUUID(n.LinkID):
			return fmt.Errorf("notify: notice %s lacks the ids its audience %s needs: %+v", n.Kind, rule.Audience, n)
		}
		p, err := json.Marshal(n.Params)
		if err != nil {
			return err
		}
		if n.Params == nil {
			p = []byte("{}")
		}
		kinds, audiences = append(kinds, string(n.Kind)), append(audiences, string(rule.Audience))
		providers, recipients = append(providers, n.ProviderID), append(recipients, n.UserID)
		otypes, oids, keys = append(otypes, n.ObjectType), append(oids, n.ObjectID), append(keys, n.Key)
		params, links = append(params, string(p)), append(links, n.LinkID)
		inApp, mandatory = append(inApp, !rule.EmailOnly), append(mandatory, rule.Mandatory)
	}
	if len(kinds) == 0 {
		return nil
	}
	var mails int
	err := t.QueryRow(ctx, `with n as (
			select * from unnest(@kind::text[], @audience::text[], @provider::text[], @recipient::text[],
				@otype::text[], @oid::text[], @key::text[], @params::text[], @link::text[], @in_app::boolean[],
				@mandatory::boolean[]) as n(kind, audience, provider, recipient, otype, oid, key, params, link,
				in_app, mandatory)
		), fresh as (
			insert into notice_keys (key) select key from n where key <> ''
			on conflict do nothing returning key
		), wanted as (
			select * from n where key = '' or key in (select key from fresh)
		), reached as (
			-- Each audience through its own index: the one user, a provider's users, the supervisors.
			select wanted.*, u.id as user_id, u.email from wanted join users u on u.id = nullif(wanted.recipient, '')::uuid
			where wanted.audience = 'user' and u.status = 'active'
			union all
			select wanted.*, u.id, u.email from wanted join users u on u.provider_id = nullif(wanted.provider, '')::uuid
			where wanted.audience in ('provider', 'provider_admins') and u.status = 'active' and `+joined+`
				and (wanted.audience = 'provider' or u.role = 'provider_admin')
			union all
			select wanted.*, u.id, u.email from wanted join users u on u.role = 'supervisor'
			where wanted.audience in ('supervisors', 'second_approvers') and u.status = 'active' and `+joined+`
				and case when wanted.audience = 'second_approvers' then not exists (select 1 from responses r
					where r.assessment_id = nullif(wanted.oid, '')::uuid and r.verdict_by = u.id) else true end
		), rcpt as (
			select reached.*, reached.in_app and (reached.mandatory or coalesce(p.in_app, true)) as to_centre,
				reached.mandatory or coalesce(p.email, true) as to_mail
			from reached left join notification_preferences p on p.user_id = reached.user_id and p.kind = reached.kind
		), centre as (
			insert into notifications (user_id, kind, provider_id, object_type, object_id, params)
			select user_id, kind, nullif(provider, '')::uuid, otype, oid, params::jsonb from rcpt where to_centre
		), mail as (
			insert into mail_outbox (user_id, address, kind, provider_id, object_type, object_id, params, link_token)
			select user_id, email, kind, nullif(provider, '')::uuid, otype, oid, params::jsonb, nullif(link, '')::uuid
			from rcpt where to_mail
			returning 1
		)
		select count(*) from mail`, pgx.StrictNamedArgs{"kind": kinds, "audience": audiences, "provider": providers,
		"recipient": recipients, "otype": otypes, "oid": oids, "key": keys, "params": params, "link": links,
		"in_app": inApp, "mandatory": mandatory}).Scan(&mails)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if mails > 0 {
		t.mail = true
	}
	return nil
}

// assessmentNotice is a notice of kind about an assessment, for its
// provider's users (or those the kind's audience names), with the words its
// messages show.
func assessmentNotice(kind domain.NoticeKind, a domain.Assessment, key string) domain.Notice {
	return domain.Notice{Kind: kind, ProviderID: a.ProviderID, ObjectType: "assessment", ObjectID: a.ID, Key: key,
		Params: map[string]string{"campaign": a.CampaignName, "provider": a.ProviderName, "due": a.DueAt.String()}}
}

// findingNotice is a notice of kind about a finding, for its provider's users.
func findingNotice(kind domain.NoticeKind, f domain.Finding, key string) domain.Notice {
	return domain.Notice{Kind: kind, ProviderID: f.ProviderID, ObjectType: "finding", ObjectID: f.ID, Key: key,
		Params: map[string]string{"title": f.Title, "provider": f.ProviderName, "due": f.DueAt.String(),
			"severity": string(f.Severity)}}
}

// decisionNotices are the kinds a supervisor's decision on an assessment
// tells its provider about.
var decisionNotices = map[string]domain.NoticeKind{
	domain.ActionRequestChanges: domain.NoticeChangesRequested,
	domain.ActionApprove:        domain.NoticeApproved,
	domain.ActionReject:         domain.NoticeRejected,
}

// awaitingApproval tells the supervisors the four-eyes rule lets approve an
// assessment under review that it waits for them, when its verdicts make it
// ready: every response judged, none still needing information. It does so
// once per submission. Without the rule anyone may approve and nobody waits.
func awaitingApproval(ctx context.Context, t *txn, a domain.Assessment) error {
	var ready, fourEyes bool
	if err := t.QueryRow(ctx, `select not exists (select 1 from responses where assessment_id = $1
			and (verdict is null or verdict = 'needs_info')),
		coalesce((select (value->>'four_eyes')::boolean from settings), true)`, a.ID).Scan(&ready, &fourEyes); err != nil {
		return err
	}
	if !ready || !fourEyes || a.Status != domain.StatusInReview {
		return nil
	}
	return t.notify(ctx, assessmentNotice(domain.NoticeSecondApproval, a, fmt.Sprintf("second_approval:%s:%d", a.ID, a.Submissions)))
}
