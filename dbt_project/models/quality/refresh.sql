-- The published file says which day it describes and when it was built (CONTRACT.md §4).
with

final as (

    select
        {{ as_of_date() }} as as_of_date,
        {{ built_at() }} as built_at

)

select * from final
