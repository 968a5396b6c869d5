package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/store"
)

// Provider is a supervised DFS provider.
type Provider struct {
	ID            string           `json:"id" format:"uuid"`
	LegalName     string           `json:"legal_name"`
	ShortName     string           `json:"short_name"`
	LicenceNumber string           `json:"licence_number"`
	Kind          string           `json:"kind" enum:"bank,mobile_money_operator,psp,emi,mfi,fintech,agent_network,payment_switch,mno"`
	Tier          int              `json:"tier" minimum:"1" maximum:"3" doc:"Systemic tier: 1 high … 3 low."`
	Channels      []string         `json:"channels"`
	Status        string           `json:"status" enum:"active,suspended,exited"`
	Contacts      []domain.Contact `json:"contacts"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
	Version       int              `json:"version"`
}

func providerOf(p domain.Provider) Provider {
	return Provider{ID: p.ID, LegalName: p.LegalName, ShortName: p.ShortName, LicenceNumber: p.LicenceNumber,
		Kind: string(p.Kind), Tier: p.Tier, Channels: nonNil(p.Channels), Status: string(p.Status),
		Contacts: nonNil(p.Contacts), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Version: p.Version}
}

type providerBody struct {
	LegalName     string           `json:"legal_name" maxLength:"300"`
	ShortName     string           `json:"short_name" maxLength:"100"`
	LicenceNumber string           `json:"licence_number" maxLength:"100"`
	Kind          string           `json:"kind" enum:"bank,mobile_money_operator,psp,emi,mfi,fintech,agent_network,payment_switch,mno"`
	Tier          int              `json:"tier" minimum:"1" maximum:"3"`
	Channels      []string         `json:"channels,omitempty" maxItems:"10" enum:"app,ussd,sms,stk,agents,cards,qr,open_api,web,ivr"`
	Status        string           `json:"status,omitempty" enum:"active,suspended,exited" doc:"active when absent."`
	Contacts      []domain.Contact `json:"contacts,omitempty" maxItems:"20"`
}

type createProviderInput struct {
	Body providerBody
}

type providerOutput struct {
	ETag string `header:"ETag"`
	Body Provider
}

func providerResponse(p domain.Provider) *providerOutput {
	return &providerOutput{ETag: etag(p.Version), Body: providerOf(p)}
}

type listProvidersInput struct {
	ListParams
	Kind    string `query:"kind" enum:"bank,mobile_money_operator,psp,emi,mfi,fintech,agent_network,payment_switch,mno"`
	Tier    int    `query:"tier" minimum:"0" maximum:"3" doc:"1, 2 or 3."`
	Status  string `query:"status" enum:"active,suspended,exited"`
	Channel string `query:"channel" enum:"app,ussd,sms,stk,agents,cards,qr,open_api,web,ivr" doc:"A channel the provider offers."`
	Q       string `query:"q" maxLength:"200" doc:"Part of a name or licence number."`
	Sort    string `query:"sort" enum:"name,tier,kind" default:"name" doc:"name (short name), tier (1 first) or kind; each then by short name."`
}

// IDParam is the id of the object a path names.
type IDParam struct {
	ID string `path:"id" maxLength:"64" doc:"Object id."`
}

type updateProviderInput struct {
	IDParam
	IfMatch string `header:"If-Match" maxLength:"64" doc:"The provider's ETag as last read; a stale one is refused with 412."`
	Body    struct {
		LegalName     *string           `json:"legal_name,omitempty" maxLength:"300"`
		ShortName     *string           `json:"short_name,omitempty" maxLength:"100"`
		LicenceNumber *string           `json:"licence_number,omitempty" maxLength:"100"`
		Kind          *string           `json:"kind,omitempty" enum:"bank,mobile_money_operator,psp,emi,mfi,fintech,agent_network,payment_switch,mno"`
		Tier          *int              `json:"tier,omitempty" minimum:"1" maximum:"3"`
		Channels      *[]string         `json:"channels,omitempty" maxItems:"10" enum:"app,ussd,sms,stk,agents,cards,qr,open_api,web,ivr"`
		Status        *string           `json:"status,omitempty" enum:"active,suspended,exited"`
		Contacts      *[]domain.Contact `json:"contacts,omitempty" maxItems:"20"`
	}
}

func (a *API) registerProviders() {
	tags := []string{"Providers"}
	register(a, huma.Operation{
		OperationID: "create-provider", Method: http.MethodPost, Path: "/api/v1/providers", Tags: tags,
		Summary: "Register a provider", Description: "Adds a DFS provider to the register. Licence numbers are unique.",
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *createProviderInput) (*providerOutput, error) {
		b := in.Body
		p, err := a.app.CreateProvider(ctx, actorFrom(ctx), domain.Provider{LegalName: b.LegalName, ShortName: b.ShortName,
			LicenceNumber: b.LicenceNumber, Kind: domain.ProviderKind(b.Kind), Tier: b.Tier, Channels: b.Channels,
			Status: domain.ProviderStatus(b.Status), Contacts: b.Contacts})
		if err != nil {
			return nil, err
		}
		return providerResponse(p), nil
	})

	register(a, huma.Operation{
		OperationID: "list-providers", Method: http.MethodGet, Path: "/api/v1/providers", Tags: tags,
		Summary: "List providers", Description: "The register by short name, tier or kind. Provider users see their own provider only.",
	}, func(ctx context.Context, in *listProvidersInput) (*ListOutput[Provider], error) {
		sort := store.ProviderSort(in.Sort)
		if sort == "name" {
			sort = store.SortByName
		}
		list, next, err := a.app.Providers(ctx, actorFrom(ctx), store.ProviderFilter{Kind: domain.ProviderKind(in.Kind),
			Tier: in.Tier, Status: domain.ProviderStatus(in.Status), Channel: in.Channel, Query: in.Q, Sort: sort}, in.page())
		if err != nil {
			return nil, err
		}
		return listOf(list, next, providerOf), nil
	})

	register(a, huma.Operation{
		OperationID: "get-provider", Method: http.MethodGet, Path: "/api/v1/providers/{id}", Tags: tags,
		Summary: "Get a provider", Description: "One provider, with its version as ETag.",
	}, func(ctx context.Context, in *IDParam) (*providerOutput, error) {
		p, err := a.app.Provider(ctx, actorFrom(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return providerResponse(p), nil
	})

	register(a, huma.Operation{
		OperationID: "update-provider", Method: http.MethodPatch, Path: "/api/v1/providers/{id}", Tags: tags,
		Summary: "Change a provider",
		Description: "Changes the given fields. Exited providers stay in the register with their history; " +
			"only active providers enter new campaigns.",
	}, func(ctx context.Context, in *updateProviderInput) (*providerOutput, error) {
		version, err := ifMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		b := in.Body
		ch := store.ProviderChange{LegalName: b.LegalName, ShortName: b.ShortName, LicenceNumber: b.LicenceNumber,
			Tier: b.Tier, Channels: b.Channels, Contacts: b.Contacts}
		if b.Kind != nil {
			k := domain.ProviderKind(*b.Kind)
			ch.Kind = &k
		}
		if b.Status != nil {
			s := domain.ProviderStatus(*b.Status)
			ch.Status = &s
		}
		p, err := a.app.UpdateProvider(ctx, actorFrom(ctx), in.ID, ch, version)
		if err != nil {
			return nil, err
		}
		return providerResponse(p), nil
	})

	a.registerProviderImport(tags)
}
