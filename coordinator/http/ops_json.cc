#include "coordinator/http/ops_json.h"

namespace gantry::coordinator::http::ops {

using nlohmann::json;

Result<std::string> ReadString(const json& v, const std::string& path) {
  if (!v.is_string()) return Status::InvalidArgument(path + " must be a string");
  return v.get<std::string>();
}

Result<uint32_t> ReadUint32(const json& v, const std::string& path) {
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() >= 0) {
    return client::ReadUint32(json(v.get<uint64_t>()), path);
  }
  return client::ReadUint32(v, path);
}

Result<bool> ReadBool(const json& v, const std::string& path) {
  if (!v.is_boolean()) return Status::InvalidArgument(path + " must be true or false");
  return v.get<bool>();
}

Result<std::vector<std::string>> ReadStringList(const json& v, const std::string& path) {
  Status wrong = Status::InvalidArgument(path + " must be an array of strings");
  if (!v.is_array()) return wrong;
  std::vector<std::string> out;
  for (const json& item : v) {
    if (!item.is_string()) return wrong;
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<Members> Members::Of(const json& j, std::string path) {
  if (j.is_null()) return Members(nullptr, std::move(path));
  if (!j.is_object()) {
    return Status::InvalidArgument((path.empty() ? std::string("the request body") : path) + " must be a JSON object");
  }
  return Members(&j, std::move(path));
}

const json* Members::Find(std::string_view name) const {
  if (json_ == nullptr) return nullptr;
  auto it = json_->find(name);
  if (it == json_->end() || it->is_null()) return nullptr;
  return &*it;
}

std::string Members::Path(std::string_view name) const {
  if (path_.empty()) return std::string(name);
  return path_ + "." + std::string(name);
}

Status Members::Present(std::string_view name) const {
  if (Find(name) != nullptr) return Status::Ok();
  return Status::InvalidArgument(Path(name) + " is required");
}

Status Members::RequireName(std::string_view name, protocol::ResourceKind kind, std::string& out) const {
  GANTRY_RETURN_IF_ERROR(Present(name));
  return GetName(name, kind, out);
}

Status Members::GetNames(std::string_view name, protocol::ResourceKind kind, std::vector<std::string>& out) const {
  std::vector<std::string> texts;
  GANTRY_RETURN_IF_ERROR(Get(name, texts));
  out.clear();
  for (size_t i = 0; i < texts.size(); ++i) {
    GANTRY_ASSIGN_OR_RETURN(std::string n,
                            protocol::ResourceName(Path(name) + "[" + std::to_string(i) + "]", texts[i], kind));
    out.push_back(std::move(n));
  }
  return Status::Ok();
}

Result<std::optional<Members>> Members::Object(std::string_view name) const {
  const json* v = Find(name);
  if (v == nullptr) return std::optional<Members>();
  GANTRY_ASSIGN_OR_RETURN(Members m, Of(*v, Path(name)));
  return std::optional<Members>(std::move(m));
}

Result<std::vector<Members>> Members::Objects(std::string_view name) const {
  std::vector<Members> out;
  const json* v = Find(name);
  if (v == nullptr) return out;
  if (!v->is_array()) return Status::InvalidArgument(Path(name) + " must be an array of objects");
  for (size_t i = 0; i < v->size(); ++i) {
    const std::string at = Path(name) + "[" + std::to_string(i) + "]";
    if (!(*v)[i].is_object()) return Status::InvalidArgument(at + " must be a JSON object");
    GANTRY_ASSIGN_OR_RETURN(Members m, Of((*v)[i], at));
    out.push_back(std::move(m));
  }
  return out;
}

void SetTags(json& j, const std::optional<protocol::Tags>& tags) {
  if (!tags || tags->empty()) return;
  json out = json::object();
  for (const auto& [key, value] : *tags) out[key] = value;
  j["tags"] = std::move(out);
}

}  // namespace gantry::coordinator::http::ops
