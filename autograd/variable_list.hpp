// VariableList: a function's inputs, or the gradients its backward returns (Grads).
//
// A short sequence of Variables that keeps up to three in place, so the common op (one to three inputs)
// allocates nothing for its input list or its gradients; longer lists (concat) spill to pooled storage.
// It reads like a std::vector: brace-initialise ({a, b}), index, iterate, push_back, resize.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "pool.hpp"
#include "variable.hpp"

namespace tsumiki {

class VariableList {
 public:
  using value_type = Variable;
  using iterator = Variable*;
  using const_iterator = const Variable*;

  VariableList() = default;
  VariableList(std::initializer_list<Variable> xs) : VariableList(xs.begin(), xs.end()) {}
  template <class It>
  VariableList(It first, It last) {
    if constexpr (std::is_base_of_v<std::forward_iterator_tag,
                                    typename std::iterator_traits<It>::iterator_category>) {
      const auto n = static_cast<std::size_t>(std::distance(first, last));
      if (n <= kInPlace) {  // the common case, without push_back's checks
        for (std::size_t i = 0; i < n; ++i, ++first) in_place_[i] = *first;
        size_ = n;
        return;
      }
      reserve(n);
    }
    for (; first != last; ++first) push_back(*first);
  }
  VariableList(const VariableList& other) : VariableList(other.begin(), other.end()) {}
  VariableList(VariableList&& other) noexcept { take(other); }
  VariableList& operator=(const VariableList& other) {
    if (this != &other) *this = VariableList(other);
    return *this;
  }
  VariableList& operator=(VariableList&& other) noexcept {
    if (this != &other) {
      clear();
      take(other);
    }
    return *this;
  }
  ~VariableList() = default;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Variable* data() { return spill_.empty() ? in_place_.data() : spill_.data(); }
  const Variable* data() const { return spill_.empty() ? in_place_.data() : spill_.data(); }
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }
  Variable& operator[](std::size_t i) { return data()[i]; }
  const Variable& operator[](std::size_t i) const { return data()[i]; }
  const Variable& at(std::size_t i) const {
    if (i >= size_)
      throw std::out_of_range("VariableList::at(" + std::to_string(i) + ") of " + std::to_string(size_));
    return data()[i];
  }
  Variable& back() { return data()[size_ - 1]; }
  const Variable& back() const { return data()[size_ - 1]; }

  void reserve(std::size_t n) {
    if (n > kInPlace && spill_.empty()) spill_to(n);
  }
  void push_back(Variable x) {
    if (spill_.empty() && size_ == kInPlace) spill_to(2 * kInPlace);
    if (spill_.empty())
      in_place_[size_] = std::move(x);
    else
      spill_.push_back(std::move(x));
    ++size_;
  }
  void resize(std::size_t n) {
    if (spill_.empty() && n <= kInPlace) {
      for (std::size_t i = n; i < size_; ++i) in_place_[i] = Variable();
    } else {
      if (spill_.empty()) spill_to(n);
      spill_.resize(n);
    }
    size_ = n;
  }
  void clear() {
    for (std::size_t i = 0; i < size_ && spill_.empty(); ++i) in_place_[i] = Variable();
    spill_.clear();
    size_ = 0;
  }

 private:
  static constexpr std::size_t kInPlace = 3;
  // Moves the Variables held in place to pooled storage with room for n.
  void spill_to(std::size_t n) {
    spill_.reserve(n);
    for (std::size_t i = 0; i < size_; ++i) spill_.push_back(std::move(in_place_[i]));
    for (auto& x : in_place_) x = Variable();
  }
  void take(VariableList& other) noexcept {
    if (other.spill_.empty()) {
      for (std::size_t i = 0; i < other.size_; ++i) in_place_[i] = std::move(other.in_place_[i]);
    } else {
      spill_ = std::move(other.spill_);
      other.spill_.clear();
    }
    size_ = other.size_;
    other.size_ = 0;
  }

  std::array<Variable, kInPlace> in_place_{};
  std::vector<Variable, PoolAllocator<Variable>> spill_;  // used (non-empty) once past kInPlace
  std::size_t size_ = 0;
};

// One gradient per input; an undefined Variable means "no gradient flows to this input".
using Grads = VariableList;

}  // namespace tsumiki
