#include "variable.hpp"

#include "detail/live_counts.hpp"
#include "detail/variable_impl.hpp"
#include "grad_mode.hpp"
#include "pool.hpp"

namespace tsumiki {
namespace {
VariableImpl& checked(VariableImpl* impl, const char* what) {
  if (!impl) throw Error(std::string("Variable::") + what + ": the Variable is undefined");
  return *impl;
}
}  // namespace

VariableImpl::VariableImpl() { detail::count_live(detail::Live::Variables, 1); }
VariableImpl::~VariableImpl() { detail::count_live(detail::Live::Variables, -1); }

std::size_t live_variables() { return detail::live_total(detail::Live::Variables); }

Variable::Variable(Tensor data, bool requires_grad, const Site& site)
    : impl_(std::allocate_shared<VariableImpl>(PoolAllocator<VariableImpl>())) {
  if (!data.defined()) throw Error("Variable: cannot wrap an undefined tensor");
  if (requires_grad && !is_floating(data.dtype()))
    throw Error(std::string("Variable: only floating tensors can require grad, got ") +
                dtype_name(data.dtype()));
  impl_->data = std::move(data);
  impl_->requires_grad = requires_grad;
  impl_->site = site;
  impl_->origin = current_origin();
}

const Tensor& Variable::data() const { return checked(impl_.get(), "data").data; }

void Variable::set_data(Tensor data) {
  auto& impl = checked(impl_.get(), "set_data");
  if (!data.defined()) throw Error("Variable::set_data: undefined tensor");
  impl.data = std::move(data);
}

Variable Variable::grad() const { return checked(impl_.get(), "grad").grad; }

void Variable::set_grad(Variable grad) {
  auto& impl = checked(impl_.get(), "set_grad");
  if (grad.defined() && (grad.shape() != impl.data.shape() || grad.dtype() != impl.data.dtype()))
    throw Error("Variable::set_grad: gradient " + std::string(dtype_name(grad.dtype())) + " " +
                to_string(grad.shape()) + " does not match the variable's " + dtype_name(impl.data.dtype()) +
                " " + to_string(impl.data.shape()));
  impl.grad = std::move(grad);
}

void Variable::zero_grad() { checked(impl_.get(), "zero_grad").grad = Variable(); }

bool Variable::requires_grad() const { return checked(impl_.get(), "requires_grad").requires_grad; }

Variable& Variable::requires_grad(bool on) {
  auto& impl = checked(impl_.get(), "requires_grad");
  if (impl.creator)
    throw Error("Variable::requires_grad: only leaves can change requires_grad (this one was made by '" +
                std::string(impl.creator->op()) + "'); use detach() first");
  if (on && !is_floating(impl.data.dtype()))
    throw Error(std::string("Variable::requires_grad: only floating tensors can require grad, got ") +
                dtype_name(impl.data.dtype()));
  impl.requires_grad = on;
  return *this;
}

bool Variable::is_leaf() const { return !checked(impl_.get(), "is_leaf").creator; }
void Variable::retain_grad() { checked(impl_.get(), "retain_grad").retains_grad = true; }
bool Variable::retains_grad() const { return checked(impl_.get(), "retains_grad").retains_grad; }

const std::string& Variable::name() const { return checked(impl_.get(), "name").name; }
Variable& Variable::name(std::string name) {
  checked(impl_.get(), "name").name = std::move(name);
  return *this;
}

std::shared_ptr<Function> Variable::creator() const { return checked(impl_.get(), "creator").creator; }

int Variable::generation() const {
  auto& impl = checked(impl_.get(), "generation");
  return impl.creator ? impl.creator->generation() : 0;
}

Variable Variable::detach() const { return Variable(data(), false, site()); }

Site Variable::site() const {
  auto& impl = checked(impl_.get(), "site");
  return impl.creator ? impl.creator->site() : impl.site;
}

const Origin* Variable::origin() const {
  auto& impl = checked(impl_.get(), "origin");
  return impl.creator ? impl.creator->origin() : impl.origin;
}

std::string Variable::where() const { return describe_site(site(), origin()); }

void Variable::register_hook(GradHook hook) {
  auto& impl = checked(impl_.get(), "register_hook");
  if (!impl.requires_grad) throw Error("Variable::register_hook: the Variable does not require grad");
  impl.hooks.push_back(std::move(hook));
}

Variable parameter(Tensor data, const Site& site) { return Variable(std::move(data), true, site); }
Variable constant(Tensor data, const Site& site) { return Variable(std::move(data), false, site); }

}  // namespace tsumiki
