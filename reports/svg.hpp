// Inline SVG charts for the HTML report. Plain strings, no scripts and no external
// resources: a report must render offline and be safe to attach to a ticket.
#pragma once
#include <string>
#include <vector>

namespace nhi::reports::svg {

/// Text escaped for HTML and SVG content and attribute values.
std::string escape(const std::string& text);

struct Bar {
    std::string label;
    double value = 0;
    std::string color;
};
/// Horizontal bars, one per row, each labelled with its value.
std::string bar_chart(const std::vector<Bar>& bars, const std::string& title, int width = 460);

struct Stack {
    std::string label;
    std::vector<double> parts;  // one per legend entry
};
/// Horizontal 100% stacked bars (shares of each row), with a legend.
std::string stacked_bars(const std::vector<Stack>& rows, const std::vector<std::pair<std::string, std::string>>& legend,
                         const std::string& title, int width = 460);

struct Series {
    std::string name, color;
    std::vector<double> values;  // one per x label
};
/// Lines over labelled points (one point per run), with a legend.
std::string line_chart(const std::vector<std::string>& x_labels, const std::vector<Series>& series,
                       const std::string& title, int width = 460, int height = 220);

}  // namespace nhi::reports::svg
