// Points, sizes and rectangles in page coordinates (points, y down) for figure layout.
#pragma once

#include <algorithm>

namespace attnviz {

struct Point {
  double x = 0;
  double y = 0;
};

struct Size {
  double width = 0;
  double height = 0;
};

struct Rect {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;

  double right() const { return x + width; }
  double bottom() const { return y + height; }
  Point center() const { return {x + width / 2, y + height / 2}; }
  bool empty() const { return !(width > 0 && height > 0); }

  Rect Translated(double dx, double dy) const { return {x + dx, y + dy, width, height}; }
  Rect Inflated(double by) const { return {x - by, y - by, width + 2 * by, height + 2 * by}; }

  // The smallest rectangle holding both; an empty rectangle adds nothing.
  Rect United(const Rect& other) const {
    if (other.empty()) return *this;
    if (empty()) return other;
    double left = std::min(x, other.x), top = std::min(y, other.y);
    return {left, top, std::max(right(), other.right()) - left,
            std::max(bottom(), other.bottom()) - top};
  }

  bool Contains(const Rect& other) const {
    return other.x >= x && other.y >= y && other.right() <= right() && other.bottom() <= bottom();
  }

  bool Intersects(const Rect& other) const {
    return other.x < right() && x < other.right() && other.y < bottom() && y < other.bottom();
  }
};

}  // namespace attnviz
