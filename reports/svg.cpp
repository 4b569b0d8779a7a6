#include "reports/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace nhi::reports::svg {
namespace {

std::string number(double v) {
    return std::floor(v) == v ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v);
}

// The SVG element with an accessible name: screen readers and the test both read it.
std::string open(int width, int height, const std::string& title) {
    return fmt::format(R"(<svg role="img" width="{0}" height="{1}" )"
                       R"(viewBox="0 0 {0} {1}" aria-label="{2}"><title>{2}</title>)",
                       width, height, escape(title));
}

// A round axis maximum (1, 2, 5 x 10^n) so gridlines fall on readable values.
double nice_max(double v) {
    if (v <= 0) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (v <= m * p) return m * p;
    return 10 * p;
}

}  // namespace

std::string escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    return out;
}

std::string bar_chart(const std::vector<Bar>& bars, const std::string& title, int width) {
    const int row = 28, label_w = 130, value_w = 60, height = int(bars.size()) * row + 8;
    double max = 0;
    for (const auto& b : bars) max = std::max(max, b.value);
    const double span = width - label_w - value_w;
    std::string out = open(width, height, title);
    for (size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const int y = int(i) * row + 4;
        const double w = max > 0 ? span * b.value / max : 0;
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" class="label">{}</text>)", label_w - 8, y + 17,
                           escape(b.label));
        out += fmt::format(R"(<rect x="{}" y="{}" width="{:.1f}" height="{}" rx="3" fill="{}"><title>{}: {}</title></rect>)",
                           label_w, y + 3, std::max(w, b.value > 0 ? 2.0 : 0.0), row - 8, b.color, escape(b.label),
                           number(b.value));
        out += fmt::format(R"(<text x="{:.1f}" y="{}" class="value">{}</text>)", label_w + w + 6, y + 17, number(b.value));
    }
    return out + "</svg>";
}

std::string stacked_bars(const std::vector<Stack>& rows, const std::vector<std::pair<std::string, std::string>>& legend,
                         const std::string& title, int width) {
    const int row = 28, label_w = 130, legend_h = 26, height = int(rows.size()) * row + legend_h + 8;
    const double span = width - label_w - 10;
    std::string out = open(width, height, title);
    double lx = label_w;
    for (const auto& [name, color] : legend) {
        out += fmt::format(R"(<rect x="{:.0f}" y="6" width="12" height="12" fill="{}"/><text x="{:.0f}" y="17" class="label">{}</text>)",
                           lx, color, lx + 16, escape(name));
        lx += 24 + 7.5 * double(name.size());
    }
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const int y = legend_h + int(i) * row + 4;
        double total = 0;
        for (double p : r.parts) total += p;
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" class="label">{}</text>)", label_w - 8, y + 17,
                           escape(r.label));
        double x = label_w;
        for (size_t k = 0; k < r.parts.size() && k < legend.size(); ++k) {
            if (r.parts[k] <= 0 || total <= 0) continue;
            const double w = span * r.parts[k] / total;
            out += fmt::format(R"(<rect x="{:.1f}" y="{}" width="{:.1f}" height="{}" fill="{}"><title>{} {}: {} of {} ({:.0f}%)</title></rect>)",
                               x, y + 3, w, row - 8, legend[k].second, escape(r.label), escape(legend[k].first),
                               number(r.parts[k]), number(total), 100.0 * r.parts[k] / total);
            x += w;
        }
    }
    return out + "</svg>";
}

std::string line_chart(const std::vector<std::string>& x_labels, const std::vector<Series>& series,
                       const std::string& title, int width, int height) {
    const int left = 48, right = 16, top = 30, bottom = 40;
    double max = 0;
    for (const auto& s : series)
        for (double v : s.values) max = std::max(max, v);
    max = nice_max(max);
    const double pw = width - left - right, ph = height - top - bottom;
    const size_t n = x_labels.size();
    auto x_at = [&](size_t i) { return n <= 1 ? left + pw / 2 : left + pw * double(i) / double(n - 1); };
    auto y_at = [&](double v) { return top + ph - ph * v / max; };
    std::string out = open(width, height, title);
    for (int g = 0; g <= 4; ++g) {  // gridlines at quarters of the axis
        const double v = max * g / 4, y = y_at(v);
        out += fmt::format(R"(<line x1="{}" x2="{:.0f}" y1="{:.1f}" y2="{:.1f}" class="grid"/>)", left, left + pw, y, y);
        out += fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="end" class="axis">{}</text>)", left - 6, y + 4, number(v));
    }
    for (size_t i = 0; i < n; ++i)
        out += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" class="axis">{}</text>)", x_at(i), height - bottom + 16,
                           escape(x_labels[i]));
    double lx = left;
    for (const auto& s : series) {
        out += fmt::format(R"(<rect x="{:.0f}" y="6" width="12" height="12" fill="{}"/><text x="{:.0f}" y="17" class="label">{}</text>)",
                           lx, s.color, lx + 16, escape(s.name));
        lx += 24 + 7.5 * double(s.name.size());
        std::string points;
        for (size_t i = 0; i < s.values.size() && i < n; ++i)
            points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", x_at(i), y_at(s.values[i]));
        out += fmt::format(R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" class="series"/>)", points, s.color);
        for (size_t i = 0; i < s.values.size() && i < n; ++i)
            out += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" fill="{}"><title>{} at {}: {}</title></circle>)",
                               x_at(i), y_at(s.values[i]), s.color, escape(s.name), escape(x_labels[i]), number(s.values[i]));
    }
    return out + "</svg>";
}

}  // namespace nhi::reports::svg
