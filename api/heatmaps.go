package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"assure/domain"
	"assure/reports"
	"assure/store"
)

// Sector views.

// SectorParams choose the campaign and providers of a sector view.
type SectorParams struct {
	Campaign string `query:"campaign" required:"true" maxLength:"36" doc:"Campaign id."`
	Basis    string `query:"basis" enum:"current,filed" doc:"filed (default): each provider's latest submission; current: as it stands, drafts included."`
	Kind     string `query:"kind" enum:"bank,mobile_money_operator,psp,emi,mfi,fintech,agent_network,payment_switch,mno"`
	Tier     int    `query:"tier" minimum:"0" maximum:"3" doc:"1, 2 or 3."`
}

func (s SectorParams) filter() store.SectorFilter {
	return store.SectorFilter{Basis: s.Basis, Kind: domain.ProviderKind(s.Kind), Tier: s.Tier}
}

type riskHeatmapInput struct {
	SectorParams
	View string `query:"view" enum:"residual,inherent" doc:"residual (default) or inherent likelihood and impact."`
}

// RiskHeatmap is the sector's 5×5 matrix.
type RiskHeatmap struct {
	CampaignID string       `json:"campaign_id"`
	Basis      string       `json:"basis"`
	View       string       `json:"view"`
	Providers  int          `json:"providers" doc:"Providers counted."`
	Missing    int          `json:"missing" doc:"Providers in scope without numbers on this basis (not filed yet)."`
	Pairs      int          `json:"pairs" doc:"Provider–threat pairs counted."`
	Cells      []MatrixCell `json:"cells"`
}

type riskHeatmapOutput struct {
	Body RiskHeatmap
}

type gridInput struct {
	SectorParams
	ListParams
	Sort string `query:"sort" enum:"name,worst" doc:"name (default) or worst first."`
}

// GridColumn is a column of a providers × facet heatmap.
type GridColumn struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// GridCell is one provider's value for one column.
type GridCell struct {
	ID         string   `json:"id"`
	Compliance *float64 `json:"compliance,omitempty" doc:"0–1 (dimensions); null when no control counts."`
	Level      string   `json:"level,omitempty" doc:"Worst residual level (stages); empty when no threat applies."`
}

// GridRow is one provider's row.
type GridRow struct {
	ProviderID   string     `json:"provider_id"`
	ProviderName string     `json:"provider_name"`
	Kind         string     `json:"kind"`
	Tier         int        `json:"tier"`
	Source       string     `json:"source"`
	Overall      *float64   `json:"overall_compliance"`
	MaxScore     int        `json:"max_residual_score"`
	Cells        []GridCell `json:"cells"`
}

// GridHeatmap is a page of a providers × dimensions or stages heatmap.
type GridHeatmap struct {
	CampaignID string       `json:"campaign_id"`
	Basis      string       `json:"basis"`
	Columns    []GridColumn `json:"columns"`
	Items      []GridRow    `json:"items"`
	Next       string       `json:"next,omitempty"`
}

type gridOutput struct {
	Body GridHeatmap
}

type svgOutput struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

var svgResponse = map[string]*huma.Response{"200": {Description: "An SVG image.",
	Content: map[string]*huma.MediaType{"image/svg+xml": {Schema: &huma.Schema{Type: "string"}}}}}

func (a *API) registerHeatmaps(tags []string) {
	risk := func(ctx context.Context, in *riskHeatmapInput) (RiskHeatmap, error) {
		m, err := a.app.SectorRiskMatrix(ctx, actorFrom(ctx), in.Campaign, in.filter(), in.View == "inherent")
		if err != nil {
			return RiskHeatmap{}, err
		}
		out := RiskHeatmap{CampaignID: in.Campaign, Basis: in.filter().Basis, View: "residual", Providers: m.Providers,
			Missing: m.Missing, Pairs: m.Pairs}
		if out.Basis == "" {
			out.Basis = store.BasisFiled
		}
		if in.View == "inherent" {
			out.View = "inherent"
		}
		for l := 5; l >= 1; l-- {
			for i := 1; i <= 5; i++ {
				out.Cells = append(out.Cells, MatrixCell{Likelihood: l, Impact: i, Count: m.Counts[l-1][i-1],
					Level: string(domain.LevelOf(l * i))})
			}
		}
		return out, nil
	}
	register(a, huma.Operation{
		OperationID: "get-risk-heatmap", Method: http.MethodGet, Path: "/api/v1/heatmaps/risk", Tags: tags,
		Summary: "Sector risk matrix",
		Description: "Counts of provider–threat pairs per residual (or inherent) likelihood and impact in a campaign, " +
			"optionally for one kind or tier. Also as SVG: /api/v1/heatmaps/risk.svg or Accept: image/svg+xml. " +
			"Provider users see their own threats only.",
	}, func(ctx context.Context, in *riskHeatmapInput) (*riskHeatmapOutput, error) {
		out, err := risk(ctx, in)
		if err != nil {
			return nil, err
		}
		return &riskHeatmapOutput{Body: out}, nil
	})
	register(a, huma.Operation{
		OperationID: "get-risk-heatmap-svg", Method: http.MethodGet, Path: "/api/v1/heatmaps/risk.svg", Tags: tags,
		Summary: "Sector risk matrix (SVG)", Description: "The sector risk matrix as a printable SVG chart.",
		Responses: svgResponse,
	}, func(ctx context.Context, in *riskHeatmapInput) (*svgOutput, error) {
		out, err := risk(ctx, in)
		if err != nil {
			return nil, err
		}
		var counts [5][5]int
		for _, c := range out.Cells {
			counts[c.Likelihood-1][c.Impact-1] = c.Count
		}
		name, err := a.campaignName(ctx, in.Campaign)
		if err != nil {
			return nil, err
		}
		h := reports.RiskMatrixHeatmap(fmt.Sprintf("%s risk — %s", capitalize(out.View), name),
			fmt.Sprintf("Provider–threat pairs by %s likelihood and impact; %d providers (%s basis), %d not filed%s",
				out.View, out.Providers, out.Basis, out.Missing, filterNote(in.SectorParams)), counts)
		return svg(h)
	})

	grid := func(view string) func(ctx context.Context, in *gridInput) (GridHeatmap, error) {
		return func(ctx context.Context, in *gridInput) (GridHeatmap, error) {
			worstBy := "compliance"
			if view == "stages" {
				worstBy = "score"
			}
			rows, next, err := a.app.SectorHeatmap(ctx, actorFrom(ctx), in.Campaign, in.filter(), store.HeatmapSort(in.Sort),
				worstBy, in.page())
			if err != nil {
				return GridHeatmap{}, err
			}
			cols, err := a.campaignColumns(ctx, in.Campaign, view)
			if err != nil {
				return GridHeatmap{}, err
			}
			out := GridHeatmap{CampaignID: in.Campaign, Basis: in.filter().Basis, Columns: cols, Items: []GridRow{}, Next: next}
			if out.Basis == "" {
				out.Basis = store.BasisFiled
			}
			for _, r := range rows {
				row := GridRow{ProviderID: r.ProviderID, ProviderName: r.ProviderName, Kind: string(r.Kind), Tier: r.Tier,
					Source: r.Source, Overall: round4(r.Overall), MaxScore: r.MaxScore}
				for _, c := range cols {
					cell := GridCell{ID: c.ID}
					if view == "dimensions" {
						cell.Compliance = round4(r.Compliance[c.ID])
					} else {
						cell.Level = string(r.Levels[c.ID])
					}
					row.Cells = append(row.Cells, cell)
				}
				out.Items = append(out.Items, row)
			}
			return out, nil
		}
	}
	what := map[string]string{"dimensions": "compliance by X.805 security dimension",
		"stages": "worst residual risk level by value-chain stage"}
	describe := func(view string) string {
		return "One row per provider of the campaign with its " + what[view] + ", paged and sorted by name or " +
			"worst first. Also as SVG (.svg or Accept: image/svg+xml). Provider users see their own row only."
	}
	page := func(view string) func(ctx context.Context, in *gridInput) (*gridOutput, error) {
		build := grid(view)
		return func(ctx context.Context, in *gridInput) (*gridOutput, error) {
			out, err := build(ctx, in)
			if err != nil {
				return nil, err
			}
			return &gridOutput{Body: out}, nil
		}
	}
	image := func(view string) func(ctx context.Context, in *gridInput) (*svgOutput, error) {
		build := grid(view)
		return func(ctx context.Context, in *gridInput) (*svgOutput, error) {
			out, err := build(ctx, in)
			if err != nil {
				return nil, err
			}
			name, err := a.campaignName(ctx, in.Campaign)
			if err != nil {
				return nil, err
			}
			return svg(gridHeatmap(view, name, what[view], out, in))
		}
	}
	register(a, huma.Operation{
		OperationID: "get-dimensions-heatmap", Method: http.MethodGet, Path: "/api/v1/heatmaps/dimensions", Tags: tags,
		Summary: "Sector heatmap: providers × dimensions", Description: describe("dimensions"),
	}, page("dimensions"))
	register(a, huma.Operation{
		OperationID: "get-dimensions-heatmap-svg", Method: http.MethodGet, Path: "/api/v1/heatmaps/dimensions.svg", Tags: tags,
		Summary: "Sector heatmap: providers × dimensions (SVG)", Description: "The same page of the heatmap as a printable SVG chart.",
		Responses: svgResponse,
	}, image("dimensions"))
	register(a, huma.Operation{
		OperationID: "get-stages-heatmap", Method: http.MethodGet, Path: "/api/v1/heatmaps/stages", Tags: tags,
		Summary: "Sector heatmap: providers × stages", Description: describe("stages"),
	}, page("stages"))
	register(a, huma.Operation{
		OperationID: "get-stages-heatmap-svg", Method: http.MethodGet, Path: "/api/v1/heatmaps/stages.svg", Tags: tags,
		Summary: "Sector heatmap: providers × stages (SVG)", Description: "The same page of the heatmap as a printable SVG chart.",
		Responses: svgResponse,
	}, image("stages"))
}

// gridHeatmap turns a page of a grid view into a drawable heatmap.
func gridHeatmap(view, campaign, what string, g GridHeatmap, in *gridInput) reports.Heatmap {
	h := reports.Heatmap{Title: fmt.Sprintf("Providers × %s — %s", view, campaign),
		Subtitle: fmt.Sprintf("%s (%s basis)%s", capitalize(what), g.Basis, filterNote(in.SectorParams)),
		XLabel:   map[string]string{"dimensions": "Security dimension", "stages": "Value-chain stage"}[view],
		YLabel:   "Provider"}
	for _, c := range g.Columns {
		h.Columns = append(h.Columns, c.Name)
	}
	for _, r := range g.Items {
		row := reports.HeatRow{Label: fmt.Sprintf("%s (tier %d)", r.ProviderName, r.Tier)}
		for i, c := range r.Cells {
			cell := reports.HeatCell{Text: "n/a", Fill: reports.LevelFill("")}
			if view == "dimensions" && c.Compliance != nil {
				cell = reports.HeatCell{Text: fmt.Sprintf("%.0f%%", *c.Compliance*100), Fill: reports.ComplianceFill(*c.Compliance)}
			}
			if view == "stages" && c.Level != "" {
				cell = reports.HeatCell{Text: c.Level, Fill: reports.LevelFill(domain.RiskLevel(c.Level))}
			}
			cell.Title = fmt.Sprintf("%s, %s: %s", r.ProviderName, g.Columns[i].Name, cell.Text)
			row.Cells = append(row.Cells, cell)
		}
		h.Rows = append(h.Rows, row)
	}
	if view == "dimensions" {
		h.Legend = reports.ComplianceLegend()
	} else {
		h.Legend = reports.LevelLegend()
	}
	if g.Next != "" {
		h.Note = fmt.Sprintf("Showing %d providers; more follow (next page: cursor=%s).", len(g.Items), g.Next)
	}
	if len(g.Items) == 0 {
		h.Note = "No provider has numbers on this basis yet."
	}
	return h
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func filterNote(in SectorParams) string {
	var parts []string
	if in.Kind != "" {
		parts = append(parts, "kind "+in.Kind)
	}
	if in.Tier != 0 {
		parts = append(parts, fmt.Sprintf("tier %d", in.Tier))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

func svg(h reports.Heatmap) (*svgOutput, error) {
	var b bytes.Buffer
	if err := reports.WriteSVG(&b, h); err != nil {
		return nil, err
	}
	return &svgOutput{ContentType: "image/svg+xml; charset=utf-8", Body: b.Bytes()}, nil
}

func (a *API) campaignName(ctx context.Context, id string) (string, error) {
	c, err := a.app.Campaign(ctx, actorFrom(ctx), id)
	return c.Name, err
}

// campaignColumns lists the dimensions or stages of a campaign's framework.
func (a *API) campaignColumns(ctx context.Context, campaignID, view string) ([]GridColumn, error) {
	c, err := a.app.Campaign(ctx, actorFrom(ctx), campaignID)
	if err != nil {
		return nil, err
	}
	ref := store.FrameworkRef{ID: c.FrameworkID, Version: c.FrameworkVersion}
	var cols []GridColumn
	if view == "dimensions" {
		list, _, err := a.app.Dimensions(ctx, actorFrom(ctx), ref, store.Page{Limit: store.MaxLimit})
		for _, d := range list {
			cols = append(cols, GridColumn{ID: d.ID, Name: d.Name})
		}
		return cols, err
	}
	list, _, err := a.app.Stages(ctx, actorFrom(ctx), ref, store.Page{Limit: store.MaxLimit})
	for _, s := range list {
		cols = append(cols, GridColumn{ID: s.ID, Name: s.Name})
	}
	return cols, err
}
