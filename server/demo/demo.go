// Package demo fills an empty hallcast database with realistic demo content
// for a street-office service hall: the hall, its departments, the category
// catalogue, and a set of published disclosures — a budget with line items,
// a monthly finance report, a construction project disclosed before, during
// and after, a personnel notice, an assistance roster, complaint channels, a
// service procedure and a conscription notice that expires.
//
// Every item goes through the real review workflow (draft, submit, approve,
// publish), so it is archived and passes the privacy guard like any other.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/hall"
)

// HallName is the name of the demo hall.
const HallName = "青石街道政务服务大厅"

// Keys of the seeded items in Result.Items.
const (
	ItemBudget          = "budget-2026"
	ItemMonthlyFinance  = "finance-2026-10"
	ItemWorksBefore     = "riverside-before"
	ItemWorksDuring     = "riverside-during"
	ItemWorksAfter      = "riverside-after"
	ItemPersonnel       = "personnel-2026-11"
	ItemAssistance      = "assistance-2026-q3"
	ItemComplaints      = "complaint-channels"
	ItemResidencePermit = "residence-permit"
	ItemConscription    = "conscription-2026"
)

// Result names what Seed created.
type Result struct {
	HallID      string
	MatterID    string            // the riverside walkway project
	Departments []string          // keys, in seed order
	Categories  []string          // keys, in catalogue order
	Items       map[string]string // item key (Item* constants) → item id
	ItemOrder   []string          // item keys in publish order
}

// Seed creates the demo hall, catalogue and published items. It expects an
// empty database (the caller checks) and an admin, who drafts, submits,
// approves and publishes every item. It stops at the first error; what was
// created before it stays.
func Seed(ctx context.Context, store hall.Store, desk *disclosure.Service, admin *hall.User) (*Result, error) {
	if store == nil || desk == nil || admin == nil {
		return nil, errors.New("demo: seed needs a store, a disclosure service and an admin")
	}
	if admin.Role != hall.RoleAdmin {
		return nil, fmt.Errorf("demo: seed runs as an admin, not %q", admin.Role)
	}
	now := desk.Now().UTC()
	res := &Result{Items: make(map[string]string)}

	h := &hall.Hall{Name: HallName, TZ: "Asia/Shanghai", CreatedAt: now}
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("demo: hall: %w", err)
	}
	if err := store.CreateHall(ctx, h); err != nil {
		return nil, fmt.Errorf("demo: create hall: %w", err)
	}
	res.HallID = h.ID

	for _, d := range departments() {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("demo: department %q: %w", d.Key, err)
		}
		if err := store.PutDepartment(ctx, &d); err != nil {
			return nil, fmt.Errorf("demo: put department %q: %w", d.Key, err)
		}
		res.Departments = append(res.Departments, d.Key)
	}
	for _, c := range categories() {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("demo: category %q: %w", c.Key, err)
		}
		if err := store.PutCategory(ctx, &c); err != nil {
			return nil, fmt.Errorf("demo: put category %q: %w", c.Key, err)
		}
		res.Categories = append(res.Categories, c.Key)
	}

	m := &hall.Matter{Title: riversideTitle, CreatedAt: now}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("demo: matter: %w", err)
	}
	if err := store.CreateMatter(ctx, m); err != nil {
		return nil, fmt.Errorf("demo: create matter: %w", err)
	}
	res.MatterID = m.ID

	for _, s := range items(m.ID) {
		id, err := publish(ctx, desk, admin, s.item)
		if err != nil {
			return nil, fmt.Errorf("demo: item %s: %w", s.key, err)
		}
		res.Items[s.key] = id
		res.ItemOrder = append(res.ItemOrder, s.key)
	}

	// The hall's default rotation, so a new screen shows the disclosures at
	// once: what a hall would put on its wall, newest first in each category.
	p := &hall.Playlist{ID: DefaultPlaylist, Name: "大厅轮播 / Hall rotation", UpdatedAt: now, Entries: []hall.PlaylistEntry{
		{Category: catBudget, DurationS: 25},
		{Category: catFinance, DurationS: 25},
		{Category: catConstruction, DurationS: 20},
		{Category: catAssistance, DurationS: 20},
		{Category: catPersonnel, DurationS: 15},
		{Category: catConscription, DurationS: 15},
		{Category: catProcedures, DurationS: 15},
		{Category: catComplaints, DurationS: 15},
	}}
	if err := playlists.ValidatePlaylist(*p); err != nil {
		return nil, fmt.Errorf("demo: playlist: %w", err)
	}
	if err := store.PutPlaylist(ctx, p); err != nil {
		return nil, fmt.Errorf("demo: put playlist: %w", err)
	}
	h.DefaultPlaylistID = p.ID
	if err := store.UpdateHall(ctx, h); err != nil {
		return nil, fmt.Errorf("demo: set the hall's default playlist: %w", err)
	}
	return res, nil
}

// DefaultPlaylist is the id of the demo hall's default rotation.
const DefaultPlaylist = "hall-rotation"

// drafter writes and submits the demo items, so that the admin, as a
// second person, approves them.
var drafter = &hall.User{Username: "demo", Role: hall.RoleAdmin}

// publish takes a new item through the whole workflow and returns its id.
func publish(ctx context.Context, desk *disclosure.Service, admin *hall.User, it *hall.Item) (string, error) {
	if err := desk.CreateDraft(ctx, drafter, it); err != nil {
		return "", fmt.Errorf("draft: %w", err)
	}
	sub, err := desk.Submit(ctx, drafter, it.ID)
	if err != nil {
		return "", fmt.Errorf("submit %s: %w", it.ID, err)
	}
	if _, err := desk.Approve(ctx, admin, it.ID, sub.Version); err != nil {
		return "", fmt.Errorf("approve %s: %w", it.ID, err)
	}
	if _, err := desk.Publish(ctx, admin, it.ID, ""); err != nil {
		return "", fmt.Errorf("publish %s: %w", it.ID, err)
	}
	return it.ID, nil
}

// seedItem is one item to publish and the key Result files it under.
type seedItem struct {
	key  string
	item *hall.Item
}

// items lists the demo disclosures in publish order: regular disclosures
// first, then the project's stages in sequence, then the standing notices.
func items(matterID string) []seedItem {
	return []seedItem{
		{ItemBudget, budgetItem()},
		{ItemMonthlyFinance, monthlyFinanceItem()},
		{ItemWorksBefore, riversideBefore(matterID)},
		{ItemWorksDuring, riversideDuring(matterID)},
		{ItemWorksAfter, riversideAfter(matterID)},
		{ItemPersonnel, personnelItem()},
		{ItemAssistance, assistanceItem()},
		{ItemComplaints, complaintsItem()},
		{ItemResidencePermit, residencePermitItem()},
		{ItemConscription, conscriptionItem()},
	}
}

// Department keys.
const (
	deptPartyOffice   = "party-office"
	deptFinance       = "finance"
	deptConstruction  = "construction"
	deptCivilAffairs  = "civil-affairs"
	deptArmedForces   = "armed-forces"
	deptDiscipline    = "discipline"
	deptServiceCenter = "service-center"
)

func departments() []hall.Department {
	return []hall.Department{
		{Key: deptPartyOffice, Name: hall.Text{ZH: "党政办", EN: "Party and Government Office"}},
		{Key: deptFinance, Name: hall.Text{ZH: "财政所", EN: "Finance Office"}},
		{Key: deptConstruction, Name: hall.Text{ZH: "城建办", EN: "Urban Construction Office"}},
		{Key: deptCivilAffairs, Name: hall.Text{ZH: "民政办", EN: "Civil Affairs Office"}},
		{Key: deptArmedForces, Name: hall.Text{ZH: "武装部", EN: "People's Armed Forces Department"}},
		{Key: deptDiscipline, Name: hall.Text{ZH: "纪工委", EN: "Discipline Inspection Working Committee"}},
		{Key: deptServiceCenter, Name: hall.Text{ZH: "便民服务中心", EN: "Public Service Center"}},
	}
}

// Category keys.
const (
	catFinance      = "finance"
	catBudget       = "budget"
	catPersonnel    = "personnel"
	catConstruction = "construction"
	catInvestment   = "investment"
	catRelief       = "relief"
	catAssistance   = "assistance"
	catPartyMembers = "party-members"
	catConscription = "conscription"
	catPolicy       = "policy"
	catProcedures   = "procedures"
	catIntegrity    = "integrity"
	catComplaints   = "complaints"
)

func categories() []hall.Category {
	return []hall.Category{
		{Key: catFinance, Name: hall.Text{ZH: "财务公开", EN: "Finances"}, Cadence: hall.CadenceMonthly, Sort: 10, Group: hall.GroupFinance, Departments: []string{deptFinance}},
		{Key: catBudget, Name: hall.Text{ZH: "预算决算", EN: "Budgets and Final Accounts"}, Cadence: hall.CadenceAnnual, Sort: 20, Group: hall.GroupFinance, Departments: []string{deptFinance}},
		{Key: catPersonnel, Name: hall.Text{ZH: "人事任免", EN: "Appointments and Removals"}, Cadence: hall.CadenceOnce, Sort: 30, Group: hall.GroupGovernment},
		{Key: catConstruction, Name: hall.Text{ZH: "城镇建设", EN: "Town Construction"}, Cadence: hall.CadenceOnce, Immediate: true, Sort: 40, Group: hall.GroupGovernment},
		{Key: catInvestment, Name: hall.Text{ZH: "招商引资", EN: "Investment Attraction"}, Cadence: hall.CadenceOnce, Sort: 50, Group: hall.GroupGovernment},
		{Key: catRelief, Name: hall.Text{ZH: "救灾救济", EN: "Disaster Relief"}, Cadence: hall.CadenceOnce, Immediate: true, Sort: 60, Group: hall.GroupGovernment},
		{Key: catAssistance, Name: hall.Text{ZH: "社会救助", EN: "Social Assistance"}, Cadence: hall.CadenceMonthly, Sort: 70, Group: hall.GroupGovernment, Departments: []string{deptCivilAffairs}},
		{Key: catPartyMembers, Name: hall.Text{ZH: "党员发展", EN: "Party Member Development"}, Cadence: hall.CadenceQuarterly, Sort: 80, Group: hall.GroupParty, Departments: []string{deptPartyOffice}},
		{Key: catConscription, Name: hall.Text{ZH: "征兵工作", EN: "Conscription"}, Cadence: hall.CadenceOnce, Immediate: true, Sort: 90, Group: hall.GroupGovernment},
		{Key: catPolicy, Name: hall.Text{ZH: "政策法规", EN: "Policies and Regulations"}, Cadence: hall.CadenceOnce, Sort: 100, Group: hall.GroupGovernment},
		{Key: catProcedures, Name: hall.Text{ZH: "办事程序", EN: "Service Procedures"}, Cadence: hall.CadenceOnce, Sort: 110, Group: hall.GroupGovernment},
		{Key: catIntegrity, Name: hall.Text{ZH: "廉政建设", EN: "Integrity Rules"}, Cadence: hall.CadenceOnce, Sort: 120, Group: hall.GroupParty},
		{Key: catComplaints, Name: hall.Text{ZH: "监督投诉", EN: "Supervision and Complaints"}, Cadence: hall.CadenceOnce, Sort: 130, Group: hall.GroupGovernment},
	}
}

// Public office landlines used across the demo content. They are desk
// phones, not mobiles, so the privacy guard lets them through.
const (
	phonePartyOffice   = "0571-88886101"
	phoneServiceCenter = "0571-88886100"
	phoneDiscipline    = "0571-88886110"
	phoneConstruction  = "0571-88886120"
	phoneCivilAffairs  = "0571-88886130"
	phoneArmedForces   = "0571-88886140"
	phoneFinance       = "0571-88886150"
	officeAddress      = "青石路88号青石街道办事处"
)
