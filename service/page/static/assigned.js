// A student's problem by its link (each assignment sheet's, /v1/assignments' `playground`):
// "#assignment=SEED&student=ID&sizes=3-2-1&activations=sigmoid,sigmoid&loss=…&examples=1&bias=false&decimals=1".
// The link holds no number: the problem is asked of POST /v1/assignments, which students may ask in classroom mode.
import { post, problemSummary } from "./api.js";
import { stateOf } from "./classdata.js";

/** The /v1/assignments request of a link's parameters, as JSON text: the seed is written as the link has it, since
 * a seed may exceed the integers a JavaScript number holds exactly (2⁵³). */
export function assignmentBody(params) {
  const seed = /^\d{1,19}$/.test(params.assignment) ? params.assignment : JSON.stringify(params.assignment);
  const int = (text) => (/^\d+$/.test(text ?? "") ? Number(text) : text);
  const fields = {
    students: [decodeURIComponent(params.student ?? "")],
    sizes: (params.sizes ?? "").split("-").map(int),
    activations: (params.activations ?? "").split(",").filter(Boolean),
    ...(params.loss ? { loss: params.loss } : {}),
    ...(params.examples ? { examples: int(params.examples) } : {}),
    ...(params.bias ? { bias: params.bias === "true" ? true : params.bias === "false" ? false : params.bias } : {}),
    ...(params.decimals ? { decimals: int(params.decimals) } : {}),
  };
  return `{"seed": ${seed}, ${JSON.stringify(fields).slice(1)}`;
}

/** The playground's state for the student's problem; an Error that says why when the service refuses the link. */
export async function assignedState(params) {
  const { data, problem } = await post("/v1/assignments", assignmentBody(params));
  if (problem) throw new Error(`the service refused it: ${problemSummary(problem)}`);
  return { ...stateOf(data.problems[0].problem), preset: "assignment" };
}
