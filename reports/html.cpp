#include "reports/html.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reports/common.hpp"
#include "reports/inventory_render.hpp"
#include "reports/svg.hpp"
#include "util/time.hpp"

namespace nhi::reports {
namespace {

using svg::escape;

const char* tier_color(Tier t) {
    switch (t) {
        case Tier::Critical: return "#b3261e";
        case Tier::High: return "#e8710a";
        case Tier::Medium: return "#d4a106";
        case Tier::Low: return "#3c8d5a";
    }
    return "#888";
}

constexpr Tier kTiers[] = {Tier::Critical, Tier::High, Tier::Medium, Tier::Low};

int64_t age_days(const std::string& from, const std::string& now) {
    auto a = util::parse_iso8601(from), b = util::parse_iso8601(now);
    return a && b ? (*b - *a) / 86400 : -1;
}

// The oldest active credential's age in days, or -1 when none has a known creation date.
int64_t oldest_credential_days(const db::IdentityRow& r, const std::string& now) {
    int64_t oldest = -1;
    for (const auto& c : r.credentials)
        if (is_active(c, now))
            if (auto created = json_text(c.data, "created"); !created.empty())
                oldest = std::max(oldest, age_days(created, now));
    return oldest;
}

std::string tiers_chart(const std::vector<Assessed>& items) {
    std::map<Tier, size_t> n;
    for (const auto& a : items) ++n[a.risk.tier];
    std::vector<svg::Bar> bars;
    for (Tier t : kTiers) bars.push_back({to_string(t), double(n[t]), tier_color(t)});
    return svg::bar_chart(bars, "Identities by risk tier");
}

std::string age_chart(const std::vector<Assessed>& items, const std::string& now) {
    const std::vector<std::pair<int64_t, const char*>> buckets = {
        {30, "< 30 days"}, {90, "30-90 days"}, {180, "90-180 days"}, {365, "180 days-1 year"}, {730, "1-2 years"}, {-1, "> 2 years"}};
    std::vector<double> n(buckets.size() + 1, 0);
    for (const auto& a : items)
        for (const auto& c : a.row->credentials) {
            if (!is_active(c, now)) continue;
            const auto created = json_text(c.data, "created");
            const int64_t d = created.empty() ? -1 : age_days(created, now);
            size_t k = buckets.size();  // unknown
            if (d >= 0)
                for (k = 0; k + 1 < buckets.size() && d >= buckets[k].first; ++k) {
                }
            ++n[k];
        }
    std::vector<svg::Bar> bars;
    for (size_t k = 0; k < buckets.size(); ++k)
        bars.push_back({buckets[k].second, n[k], k < 3 ? "#4a7bd0" : (k < 4 ? "#d4a106" : "#b3261e")});
    bars.push_back({"creation unknown", n.back(), "#9aa0a6"});
    return svg::bar_chart(bars, "Age of active credentials");
}

std::string owners_chart(const std::vector<Assessed>& items) {
    std::map<std::string, std::vector<double>> by_provider;  // provider -> {owned, weak, none}
    for (const auto& a : items) {
        auto& v = by_provider[a.row->provider];
        v.resize(3);
        const auto& o = a.row->owner;
        ++v[!o ? 2 : (o->source == "git-author" ? 1 : 0)];
    }
    std::vector<svg::Stack> rows;
    std::vector<double> all(3, 0);
    for (const auto& [p, v] : by_provider) {
        rows.push_back({p, v});
        for (size_t k = 0; k < 3; ++k) all[k] += v[k];
    }
    rows.insert(rows.begin(), {"all", all});
    return svg::stacked_bars(rows, {{"owner", "#3c8d5a"}, {"git author only", "#d4a106"}, {"no owner", "#b3261e"}},
                             "Owner coverage by provider");
}

std::string trend_chart(const std::vector<TrendPoint>& trend) {
    std::vector<std::string> labels;
    std::vector<svg::Series> series;
    series.push_back({"identities", "#4a7bd0", {}});
    for (Tier t : kTiers) series.push_back({to_string(t), tier_color(t), {}});
    for (const auto& p : trend) {
        labels.push_back(p.label);
        series[0].values.push_back(double(p.identities));
        for (size_t k = 0; k < 4; ++k) {
            auto it = p.tiers.find(kTiers[k]);
            series[k + 1].values.push_back(it == p.tiers.end() ? 0 : double(it->second));
        }
    }
    return svg::line_chart(labels, series, "Identities and tiers across reviews", 560, 240);
}

// Which factors the inventory shows, each with its OWASP id, floor and source, and how many
// identities (and dangling bindings) it applies to: the model at a glance.
void write_factors(const HtmlReport& rep, std::ostream& out) {
    std::map<std::string, size_t> hits;
    for (const auto& a : *rep.items)
        for (const auto& g : group_factors(a.risk)) ++hits[g.first->id];
    if (rep.dangling) hits["dangling-binding"] += rep.dangling->size();
    out << "<section id=\"factors\"><h2>Risk factors</h2><table class=\"factors\"><thead><tr><th>OWASP</th><th>Factor</th>"
           "<th>Identities</th><th>Floor</th><th>Weight</th><th>Source</th></tr></thead><tbody>";
    for (const auto& f : factor_catalog()) {
        auto it = hits.find(f.id);
        if (it == hits.end()) continue;
        out << "<tr><td>" << f.owasp << "</td><td><code>" << f.id << "</code></td><td class=\"num\">" << it->second
            << "</td><td><span class=\"tier t" << int(f.floor) << "\">" << to_string(f.floor) << "</span></td><td class=\"num\">"
            << f.weight << "</td><td>" << escape(f.source) << "</td></tr>";
    }
    out << "</tbody></table>";
    if (rep.dangling && !rep.dangling->empty()) {
        out << "<details open><summary>Dangling bindings (" << rep.dangling->size() << ")</summary><ul>";
        for (const auto& d : *rep.dangling)
            out << "<li><span class=\"tier t" << int(d.risk.tier) << "\">" << to_string(d.risk.tier) << "</span> "
                << escape(d.risk.factors.front().reason) << "</li>";
        out << "</ul></details>";
    }
    out << "</section>\n";
}

void write_diff(const Diff& d, std::ostream& out) {
    out << "<section id=\"changes\"><h2>Since the last review</h2><p class=\"muted\">Compared with run " << d.from << " ("
        << escape(d.from_time) << ").</p><div class=\"cards\">";
    const std::vector<std::pair<const char*, const std::vector<DiffEntry>*>> parts = {
        {"added", &d.added},           {"removed", &d.removed},         {"tier changes", &d.tier_changes},
        {"newly exposed", &d.newly_exposed}, {"owners gained", &d.owners_gained}, {"owners lost", &d.owners_lost},
        {"owners changed", &d.owners_changed}, {"new dangling bindings", &d.dangling_added},
        {"dangling bindings removed", &d.dangling_removed}};
    for (const auto& [name, list] : parts)
        out << "<div class=\"card\"><b>" << list->size() << "</b><span>" << name << "</span></div>";
    out << "</div>";
    for (const auto& [name, list] : parts) {
        if (list->empty()) continue;
        out << "<details><summary>" << name << " (" << list->size() << ")</summary><ul>";
        size_t shown = 0;
        for (const auto& e : *list) {
            if (++shown > 200) {
                out << "<li>… and " << list->size() - 200 << " more (nhi report diff)</li>";
                break;
            }
            out << "<li>" << escape(e.provider + " " + e.kind + " " + e.name);
            if (!e.before.empty() || !e.after.empty())
                out << ": " << escape(e.before.empty() ? "(none)" : e.before) << " &rarr; "
                    << escape(e.after.empty() ? "(none)" : e.after);
            if (!e.detail.empty()) out << ": " << escape(e.detail);
            out << "</li>";
        }
        out << "</ul></details>";
    }
    out << "</section>\n";
}

const char* kStyle = R"css(
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff}
body{margin:0 auto;max-width:1200px;padding:24px}
h1{margin:0 0 4px;font-size:26px}h2{font-size:19px;margin:28px 0 10px}
.muted{color:#656d76;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:110px}
.card b{display:block;font-size:24px}.card span{color:#656d76;font-size:13px}
.card.critical b{color:#b3261e}.card.high b{color:#e8710a}.card.medium b{color:#b08600}.card.low b{color:#3c8d5a}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(470px,1fr));gap:16px}
figure{margin:0;border:1px solid #d0d7de;border-radius:8px;padding:12px}
figcaption{font-weight:600;margin-bottom:8px}
svg .label{font-size:12px;fill:#1f2328}svg .value,svg .axis{font-size:11px;fill:#656d76}svg .grid{stroke:#eaeef2}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #eaeef2;padding:6px 8px;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.tier{display:inline-block;border-radius:10px;padding:1px 8px;color:#fff;font-size:12px;font-weight:600}
.t4{background:#b3261e}.t3{background:#e8710a}.t2{background:#d4a106}.t1{background:#3c8d5a}
details summary{cursor:pointer}details ul{margin:6px 0;padding-left:18px}
code{font-size:12px;background:#f6f8fa;padding:1px 4px;border-radius:4px;word-break:break-all}
#filter{padding:6px 10px;width:320px;border:1px solid #d0d7de;border-radius:6px;margin-bottom:8px}
button{padding:5px 10px;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer}button:disabled{opacity:.4;cursor:default}
@media print{th{position:static}#filter,button{display:none}}
)css";

// The identity table is drawn by this script from the rows embedded as JSON: a page of
// 100,000 static rows takes a browser tens of seconds to lay out, a page of 100 does not,
// and sorting and filtering an array is instant. Everything is built with textContent,
// never innerHTML, so a name in an export cannot become markup. `#sort=<column>[-asc|-desc]`
// in the address opens the report sorted, for links shared in tickets.
const char* kScript = R"js(
(function(){
  var holder=document.getElementById('nhi-data'),table=document.getElementById('identities');
  if(!holder||!table)return;
  var data=JSON.parse(holder.textContent),TIERS=['','low','medium','high','critical'];
  var FIELD={tier:'t',score:'s',provider:'p',kind:'k',name:'n',owner:'o',age:'a',expires:'e',factors:'i'};
  var NUM={tier:1,score:1,age:1},SIZE=100;
  data.forEach(function(d){var seen=[];d.f.forEach(function(f){if(seen.indexOf(f[0])<0)seen.push(f[0]);});d.i=seen.join(', ');
    d.q=[d.p,d.k,d.n,d.o||'',d.i,TIERS[d.t]].join(' ').toLowerCase();});
  var view=data.slice(),page=0,col='tier',dir=-1;
  var body=table.tBodies[0],heads=table.tHead.rows[0].cells;
  function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined&&text!==null)e.textContent=text;return e;}
  function row(d){
    var tr=el('tr'),td=el('td');td.setAttribute('data-v',d.t);td.appendChild(el('span','tier t'+d.t,TIERS[d.t]));tr.appendChild(td);
    tr.appendChild(el('td','num',d.s));[d.p,d.k,d.n].forEach(function(v){tr.appendChild(el('td',null,v));});
    var o=el('td');if(d.o){o.textContent=d.o;if(d.w)o.appendChild(el('i',null,' (git author)'));}else o.appendChild(el('i',null,'none'));
    tr.appendChild(o);tr.appendChild(el('td','num',d.a<0?'':d.a));tr.appendChild(el('td',null,d.e));
    var f=el('td');
    if(!d.f.length)f.appendChild(el('span','muted','none'));
    else{var det=el('details'),ul=el('ul');det.appendChild(el('summary',null,d.i));
      d.f.forEach(function(x){var li=el('li');li.appendChild(el('b',null,x[0]+' '+x[1]));li.appendChild(document.createTextNode(' +'+x[2]+': '+x[3]));ul.appendChild(li);});
      det.appendChild(ul);det.appendChild(el('p','muted','How: '+d.h));if(d.x)det.appendChild(el('p',null,'Accepted risk: '+d.x));
      if(d.r){var p=el('p',null,'Revoke: ');p.appendChild(el('code',null,d.r));det.appendChild(p);}f.appendChild(det);}
    tr.appendChild(f);return tr;
  }
  function render(){
    body.textContent='';var fr=document.createDocumentFragment(),end=Math.min(view.length,(page+1)*SIZE);
    for(var i=page*SIZE;i<end;i++)fr.appendChild(row(view[i]));body.appendChild(fr);
    document.getElementById('shown').textContent=view.length?(page*SIZE+1)+'-'+end+' of '+view.length+(view.length<data.length?' matching':''):'none of '+data.length;
    document.getElementById('prev').disabled=page===0;document.getElementById('next').disabled=end>=view.length;
  }
  function order(){
    var k=FIELD[col],num=NUM[col];
    view.sort(function(a,b){var x=a[k],y=b[k];if(!num){x=String(x||'').toLowerCase();y=String(y||'').toLowerCase();}
      return (x<y?-1:x>y?1:0)*dir||b.s-a.s;});
    for(var i=0;i<heads.length;i++)heads[i].removeAttribute('aria-sort');
    for(i=0;i<heads.length;i++)if(heads[i].getAttribute('data-col')===col)heads[i].setAttribute('aria-sort',dir>0?'ascending':'descending');
    page=0;render();
  }
  for(var i=0;i<heads.length;i++)(function(h){h.addEventListener('click',function(){
    var c=h.getAttribute('data-col');dir=c===col&&dir<0?1:(c===col?-1:(NUM[c]?-1:1));col=c;order();});})(heads[i]);
  document.getElementById('prev').addEventListener('click',function(){if(page>0){page--;render();}});
  document.getElementById('next').addEventListener('click',function(){if((page+1)*SIZE<view.length){page++;render();}});
  var filter=document.getElementById('filter'),timer=null;
  filter.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(function(){
    var q=filter.value.toLowerCase();view=q?data.filter(function(d){return d.q.indexOf(q)>=0;}):data.slice();order();},150);});
  var m=/^#sort=([a-z]+)(?:-(asc|desc))?$/.exec(location.hash);
  if(m&&FIELD[m[1]]){col=m[1];dir=m[2]==='asc'?1:-1;}
  order();
  document.documentElement.setAttribute('data-ready','1');
})();
)js";

// JSON that is safe inside <script>: '<' appears only in strings, where \u003c means the same.
void write_script_json(const nlohmann::json& j, std::ostream& out) {
    const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    size_t from = 0;
    for (size_t lt = text.find('<'); lt != std::string::npos; from = lt + 1, lt = text.find('<', from))
        out.write(text.data() + from, std::streamsize(lt - from)) << "\\u003c";
    out.write(text.data() + from, std::streamsize(text.size() - from));
}

nlohmann::json table_row(const Assessed& a, const std::string& now) {
    const auto& r = *a.row;
    const auto f = derive(r, now);
    nlohmann::json factors = nlohmann::json::array();
    for (const auto& g : group_factors(a.risk)) {
        std::string reasons;
        for (const auto* x : g.all) reasons += (reasons.empty() ? "" : "; ") + x->reason;
        factors.push_back({g.first->owasp, g.first->id + (g.all.size() > 1 ? " x" + std::to_string(g.all.size()) : ""),
                           g.first->weight, reasons});
    }
    std::string revoke;
    for (const auto& c : r.credentials)
        if (revoke = json_text(c.data, "revocation"); !revoke.empty()) break;
    if (revoke.empty()) revoke = json_text(r.data, "revocation");
    return {{"t", int(a.risk.tier)}, {"s", a.risk.score}, {"p", r.provider}, {"k", r.kind}, {"n", r.name},
            {"o", f.owner.empty() ? nlohmann::json() : nlohmann::json(f.owner)},
            {"w", r.owner && r.owner->source == "git-author"}, {"a", oldest_credential_days(r, now)},
            {"e", f.never_expires ? std::string("never") : f.expires.substr(0, 10)}, {"f", factors},
            {"x", a.risk.accepted}, {"r", revoke}, {"h", a.risk.how}};
}

void write_table(const HtmlReport& rep, std::ostream& out) {
    const auto& items = *rep.items;
    const size_t listed = size_t(std::count_if(items.begin(), items.end(), [&](const Assessed& a) { return a.risk.tier >= rep.min_tier; }));
    out << "<section><h2>Identities</h2><p class=\"muted\"><span id=\"shown\">" << listed << "</span>";
    if (listed < items.size())
        out << " (tier " << to_string(rep.min_tier) << " and above; " << items.size() - listed << " lower not listed)";
    out << ". Click a column to sort; open a row's factors for the reasons and the revocation step.</p>"
           "<input id=\"filter\" type=\"search\" placeholder=\"Filter: name, owner, provider, tier, NHI id\" aria-label=\"Filter\"> "
           "<button id=\"prev\" type=\"button\">&larr; Previous</button> <button id=\"next\" type=\"button\">Next &rarr;</button>"
           "<noscript><p>The table needs JavaScript; <code>nhi report risk --format csv</code> has the same rows.</p></noscript>"
           "<table id=\"identities\"><thead><tr>"
           "<th data-col=\"tier\">Tier</th><th data-col=\"score\">Score</th><th data-col=\"provider\">Provider</th>"
           "<th data-col=\"kind\">Kind</th><th data-col=\"name\">Identity</th><th data-col=\"owner\">Owner</th>"
           "<th data-col=\"age\">Oldest key (days)</th><th data-col=\"expires\">Expires</th>"
           "<th data-col=\"factors\">Factors</th></tr></thead><tbody></tbody></table></section>\n"
           "<script id=\"nhi-data\" type=\"application/json\">[";
    bool first = true;  // streamed row by row: the page for 100,000 identities is never one string
    for (const auto& a : items) {
        if (a.risk.tier < rep.min_tier) continue;
        out << (first ? "\n" : ",\n");
        first = false;
        write_script_json(table_row(a, rep.now), out);
    }
    out << "]</script>\n";
}

}  // namespace

TrendPoint trend_point(const std::vector<Assessed>& items, const std::string& label) {
    TrendPoint p{label, items.size(), {}};
    for (const auto& a : items) ++p.tiers[a.risk.tier];
    return p;
}

nlohmann::json to_json(const TrendPoint& p) {
    nlohmann::json t = nlohmann::json::object();
    for (Tier k : kTiers) t[to_string(k)] = p.tiers.count(k) ? p.tiers.at(k) : 0;
    return {{"identities", p.identities}, {"tiers", t}};
}

TrendPoint trend_point_from_json(const nlohmann::json& j, const std::string& label) {
    TrendPoint p{label, j.value("identities", size_t(0)), {}};
    if (j.contains("tiers") && j["tiers"].is_object())
        for (Tier k : kTiers) p.tiers[k] = j["tiers"].value(to_string(k), size_t(0));
    return p;
}

void report_html(const HtmlReport& rep, std::ostream& out) {
    const auto& items = *rep.items;
    std::map<Tier, size_t> tiers;
    size_t owned = 0, exposed = 0;
    for (const auto& a : items) {
        ++tiers[a.risk.tier];
        if (a.row->owner && a.row->owner->source != "git-author") ++owned;
        // Any NHI2 factor: a scan finding, a downloaded key file, an agent's literal secret.
        for (const auto& f : a.risk.factors)
            if (f.owasp == "NHI2" && f.id != "exposure-resolved") {  // a revoked leak is resolved
                ++exposed;
                break;
            }
    }
    const double coverage = items.empty() ? 100.0 : 100.0 * double(owned) / double(items.size());
    out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           // Nothing may leave the machine: no fonts, images, scripts or beacons from elsewhere.
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "script-src 'unsafe-inline'; img-src data:\">"
           "<title>NHI review, "
        << escape(rep.now.substr(0, 10)) << "</title><style>" << kStyle << "</style></head><body>\n";
    out << "<header><h1>Non-human identity review</h1><p class=\"muted\">As of " << escape(rep.now) << " &middot; "
        << items.size() << " identities &middot; nhi " << NHI_VERSION << "</p></header>\n<div class=\"cards\">";
    for (Tier t : kTiers)
        out << "<div class=\"card " << to_string(t) << "\"><b>" << tiers[t] << "</b><span>" << to_string(t) << "</span></div>";
    out << fmt::format("<div class=\"card\"><b>{:.0f}%</b><span>have an owner</span></div>", coverage)
        << "<div class=\"card\"><b>" << exposed << "</b><span>with a leaked secret (NHI2)</span></div></div>\n";
    out << "<section class=\"charts\">"
        << "<figure id=\"chart-tiers\"><figcaption>Risk tiers</figcaption>" << tiers_chart(items) << "</figure>"
        << "<figure id=\"chart-age\"><figcaption>Credential age</figcaption>" << age_chart(items, rep.now) << "</figure>"
        << "<figure id=\"chart-owners\"><figcaption>Owner coverage</figcaption>" << owners_chart(items) << "</figure>"
        << "<figure id=\"chart-trend\"><figcaption>Trend across reviews</figcaption>" << trend_chart(rep.trend);
    if (rep.trend.size() < 2)
        out << "<p class=\"muted\">One point so far: record each review with <code>nhi report summary --record</code> "
               "and the trend grows.</p>";
    out << "</figure></section>\n";
    if (rep.since_review) write_diff(*rep.since_review, out);
    write_factors(rep, out);
    write_table(rep, out);
    out << "<script>" << kScript << "</script></body></html>\n";
}

}  // namespace nhi::reports
