// Files of the design generated from config 'mlp_small'; paths are relative
// to this file (verilator -F filelist.f).
+incdir+rtl
rtl/taxonn_acc.v
rtl/taxonn_act.v
rtl/taxonn_act_deriv.v
rtl/taxonn_lfsr.v
rtl/taxonn_mul.v
rtl/taxonn_pe.v
rtl/taxonn_pe_base.v
rtl/taxonn_plan_sigmoid.v
rtl/taxonn_rounder.v
rtl/taxonn_rq.v
rtl/taxonn_sat.v
rtl/taxonn_sat_counter.v
rtl/taxonn_spad.v
rtl/taxonn_fc1_pe_base.v
rtl/taxonn_fc1_pe.v
rtl/taxonn_fc1_act.v
rtl/taxonn_fc2_pe_base.v
rtl/taxonn_fc2_pe.v
rtl/taxonn_fc2_act.v
rtl/taxonn_fc3_pe_base.v
rtl/taxonn_fc3_pe.v
rtl/taxonn_fc3_act.v
rtl/taxonn_fc4_pe_base.v
rtl/taxonn_fc4_pe.v
rtl/taxonn_fc4_act.v
